#!/usr/bin/env bash
# Generates the IVR prompts of the SIP edge into src/EdgeSip/Prompts/: speech with espeak-ng (English voice) and a
# generated music-on-hold melody, each converted with sox to 8 kHz mono 16-bit PCM WAV. Idempotent: every run writes
# the same files (no dither, fixed voice and speed), so re-running leaves git clean. Needs espeak-ng and sox; when
# either is missing it says so, and installs them with apt-get when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir=src/EdgeSip/Prompts

missing=()
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
if [ ${#missing[@]} -gt 0 ]; then
  echo "make-prompts.sh needs: ${missing[*]} (Debian packages: ${missing[*]})" >&2
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} with apt-get..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "install them (e.g. 'sudo apt-get install ${missing[*]}') and run again" >&2
    exit 1
  fi
fi

voice=en-us   # espeak-ng's own American English voice (ships with espeak-ng-data; no mbrola needed)
speed=150     # words per minute; a little slower than espeak's 175 default, clearer on the phone
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out_dir"

# 8 kHz mono 16-bit PCM, telephone band, peak normalised to -3 dBFS, leading/trailing silence trimmed to 100 ms.
# -D: no dither, so the output is the same bytes on every run.
to_phone() {
  sox -D "$1" -r 8000 -c 1 -b 16 -e signed-integer "$2" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse \
    highpass 300 lowpass 3400 gain -n -3 pad 0.1 0.1
}

speak() {
  local name=$1 text=$2
  espeak-ng -v "$voice" -s "$speed" -w "$work/$name.raw.wav" "$text"
  to_phone "$work/$name.raw.wav" "$work/$name.wav"
  mv -f "$work/$name.wav" "$out_dir/$name.wav"
}

speak welcome "Welcome to the contact center."
speak menu "For sales, press 1. For support, press 2. For a technical expert, press 3."
speak enter-account "Please enter your four digit account number."
speak invalid "Sorry, that is not a valid choice."
speak queue-position "You are caller number"
speak in-queue "in the queue."
speak expected-wait "Your expected wait is about"
speak minutes "minutes."
speak less-than-a-minute "less than a minute."
speak callback-offer "To be called back without losing your place, press 9."
speak callback-confirmed "Thank you. We will call you back. Goodbye."
speak survey "Please rate your call from 1 to 5."
speak thank-you "Thank you. Goodbye."
speak all-busy "All our agents are busy. Please try again later. Goodbye."
speak transferring "Please hold while we transfer your call."
speak closed "Thank you for calling. We are closed at the moment. Please call again during our opening hours. Goodbye."
speak closed-voicemail "Thank you for calling. We are closed at the moment. Please leave your message now, and press any key when you have finished."
speak experts-busy "All our technical experts are busy. Please try again later. Goodbye."
for n in $(seq 0 20); do
  speak "$n" "$n"
done

# Music on hold: a I-vi-IV-V progression (C, Am, F, G) as plucked arpeggios over a soft pad, 9.6 s, 100 bpm-ish.
# Every note is made by sox synth (no samples, no speech), then mixed, faded and reverberated a little.
note_len=0.3
notes=()
chords=("C4 E4 G4 C5" "A3 C4 E4 A4" "F3 A3 C4 F4" "G3 B3 D4 G4")
i=0
for chord in "${chords[@]}"; do
  for round in 1 2; do
    for n in $chord; do
      f="$work/note$(printf %03d $i).wav"
      sox -D -n -r 8000 -c 1 -b 16 "$f" synth "$note_len" pluck "$n" fade q 0.01 "$note_len" 0.08 vol 0.6
      notes+=("$f")
      i=$((i + 1))
    done
  done
done
sox -D "${notes[@]}" "$work/melody.wav"
pads=()
for chord in "${chords[@]}"; do
  # shellcheck disable=SC2086
  set -- $chord
  f="$work/pad$(printf %03d ${#pads[@]}).wav"
  sox -D -n -r 8000 -c 1 -b 16 "$f" synth 2.4 sine "$1" sine "$2" sine "$3" remix - fade t 0.3 2.4 0.3 vol 0.15
  pads+=("$f")
done
sox -D "${pads[@]}" "$work/pad.wav"
sox -D -m "$work/melody.wav" "$work/pad.wav" "$work/moh.raw.wav"
sox -D "$work/moh.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$work/music-on-hold.wav" \
  lowpass 2500 highpass 80 reverb 30 50 60 gain -n -6 fade t 0.05 9.6 0.5
mv -f "$work/music-on-hold.wav" "$out_dir/music-on-hold.wav"

echo "prompts written to $out_dir:"
for f in "$out_dir"/*.wav; do
  printf '  %-24s %5.2f s\n' "$(basename "$f")" "$(soxi -D "$f")"
done
