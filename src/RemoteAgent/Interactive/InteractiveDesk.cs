using System.Globalization;
using System.Text;
using System.Threading.Channels;
using CallCenter.Gateway.V1;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CallCenter.RemoteAgent.Interactive;

/// <summary>
/// The terminal desktop. Keys, events, command results and connection notices all pass through one queue and are
/// handled on one loop, so <see cref="DeskView"/> needs no locks; pickers are drawn by the loop too (Spectre's
/// prompts would compete with it for the keyboard).
/// </summary>
public sealed class InteractiveDesk(DeskSession session, LoginReply login, IAnsiConsole console, TimeProvider time)
{
    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>();
    private readonly DeskView _view = new(login, time);
    private Modal? _modal;
    private bool _quit;

    public async Task<int> RunAsync(bool setAvailable, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        session.CommandCompleted += outcome => _inputs.Writer.TryWrite(new OutcomeInput(outcome));
        session.Notice += notice => _inputs.Writer.TryWrite(new NoticeInput(notice));
        session.LoggedIn += (reply, _) => _inputs.Writer.TryWrite(new LoginInput(reply));

        var events = session.RunEventsAsync((agentEvent, _) =>
        {
            _inputs.Writer.TryWrite(new EventInput(agentEvent));
            return Task.CompletedTask;
        }, stop.Token);
        _ = events.ContinueWith(t => _inputs.Writer.TryWrite(new StreamEndedInput(t.Exception?.GetBaseException())),
            TaskScheduler.Default);
        _ = ReadKeysAsync(stop.Token);
        // Ticks redraw the offer's countdown and the wrap-up timer.
        using var ticker = time.CreateTimer(_ => _inputs.Writer.TryWrite(new TickInput()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        var setAvailablePending = setAvailable;
        Exception? failure = null;
        try
        {
            await LiveAsync();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: leave as 'q' would.
            await RemoteAgentApp.LogoutQuietlyAsync(session);
        }
        await stop.CancelAsync();
        if (failure is not null and not OperationCanceledException)
        {
            throw failure;
        }
        return ExitCodes.Success;

        Task LiveAsync() => console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            await foreach (var input in _inputs.Reader.ReadAllAsync(stop.Token))
            {
                switch (input)
                {
                    case KeyInput key:
                        await OnKeyAsync(key.Key, stop.Token);
                        break;
                    case EventInput e:
                        _view.Apply(e.Event);
                        if (e.Event.EventCase == AgentEvent.EventOneofCase.Session && setAvailablePending)
                        {
                            setAvailablePending = false;
                            await session.SetStateAsync(AgentState.Available, "", stop.Token);
                        }
                        break;
                    case OutcomeInput outcome:
                        _view.Apply(outcome.Outcome);
                        break;
                    case NoticeInput notice:
                        _view.Apply(notice.Notice);
                        break;
                    case LoginInput renewed:
                        _view.Apply(renewed.Reply);
                        break;
                    case TickInput:
                        _view.ExpireOffer();
                        break;
                    case StreamEndedInput ended:
                        failure = ended.Failure;
                        _quit = true;
                        break;
                }
                context.UpdateTarget(Render());
                context.Refresh();
                if (_quit)
                {
                    break;
                }
            }
        });
    }

    private async Task ReadKeysAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var key = await console.Input.ReadKeyAsync(true, cancellationToken);
            if (key is { } pressed)
            {
                _inputs.Writer.TryWrite(new KeyInput(pressed));
            }
        }
    }

    private async Task OnKeyAsync(ConsoleKeyInfo key, CancellationToken cancellationToken)
    {
        if (_modal is not null)
        {
            await _modal.OnKeyAsync(this, key);
            return;
        }

        var call = _view.CurrentCall?.CallId;
        switch (char.ToLowerInvariant(key.KeyChar))
        {
            case 'a' when _view.Offer is { } offer:
                await session.AcceptAsync(offer.CallId, offer.Epoch, cancellationToken);
                break;
            case 'r' when _view.Offer is { } offer:
                await session.RejectAsync(offer.CallId, offer.Epoch, cancellationToken);
                break;
            case 'v':
                await session.SetStateAsync(AgentState.Available, "", cancellationToken);
                break;
            case 'n':
                ChooseOrType("Not ready: reason", _view.Login.ReasonCodes,
                    reason => session.SetStateAsync(AgentState.NotReady, reason, cancellationToken));
                break;
            case 'h' when call is not null:
                await session.HoldAsync(call, cancellationToken);
                break;
            case 'u' when call is not null:
                await session.ResumeAsync(call, cancellationToken);
                break;
            case 'x' when call is not null:
                await session.HangUpAsync(call, cancellationToken);
                break;
            case 't' when call is not null:
                _modal = new PickerModal("Transfer to", ["Queue", "Agent", "Partner expert queue", "External number or URI"], choice =>
                {
                    var kind = choice switch
                    {
                        0 => TransferKind.Queue,
                        1 => TransferKind.Agent,
                        2 => TransferKind.PartnerExpertQueue,
                        _ => TransferKind.External,
                    };
                    _modal = new TextModal($"Transfer {call}: target", allowEmpty: false, target =>
                    {
                        _modal = new TextModal("Note for the next agent (optional)", allowEmpty: true,
                            note => session.TransferAsync(call, kind, target, note, cancellationToken));
                        return Task.CompletedTask;
                    });
                    return Task.CompletedTask;
                });
                break;
            case 'c' when call is not null:
                _modal = new PickerModal("Consult", ["Agent", "External number or URI"], choice =>
                {
                    var kind = choice == 0 ? TransferKind.Agent : TransferKind.External;
                    _modal = new TextModal($"Consult on {call}: target", allowEmpty: false,
                        target => session.ConsultAsync(call, ConsultAction.Start, kind, target, cancellationToken));
                    return Task.CompletedTask;
                });
                break;
            case 'm' when call is not null:
                await session.ConsultAsync(call, ConsultAction.Complete, TransferKind.Unspecified, "", cancellationToken);
                break;
            case 'k' when call is not null:
                await session.ConsultAsync(call, ConsultAction.Cancel, TransferKind.Unspecified, "", cancellationToken);
                break;
            case 'w' when (_view.WrapUpCallId ?? call) is { } wrapUpCall:
                ChooseOrType($"Wrap up {wrapUpCall}: disposition", _view.Login.DispositionCodes, code =>
                {
                    _modal = new TextModal("Wrap-up notes (optional)", allowEmpty: true,
                        notes => session.WrapUpAsync(wrapUpCall, code, notes, cancellationToken));
                    return Task.CompletedTask;
                });
                break;
            case 'l' when (_view.Offer?.CallId ?? call) is { } lookUpCall:
                if (await session.LookUpCustomerAsync(lookUpCall, cancellationToken) is { } customer)
                {
                    _view.AddLog($"customer {customer.CustomerKey}: {customer.Name} ({customer.Tier}), {customer.History.Count} earlier contacts");
                }
                break;
            case 'q':
                await RemoteAgentApp.LogoutQuietlyAsync(session);
                _quit = true;
                break;
        }
    }

    private void ChooseOrType(string title, IReadOnlyList<string> choices, Func<string, Task> onChosen)
    {
        _modal = choices.Count > 0
            ? new PickerModal(title, choices, index => onChosen(choices[index]))
            : new TextModal(title, allowEmpty: false, onChosen);
    }

    private IRenderable Render()
    {
        var parts = new List<IRenderable> { StateBar() };
        if (_view.ConnectionProblem is { } problem)
        {
            parts.Add(new Markup($"[yellow]{Markup.Escape(problem)}[/]"));
        }
        if (_view.Offer is { } offer)
        {
            parts.Add(OfferPanel(offer));
        }
        if (_view.Calls.Count > 0)
        {
            parts.Add(CallsPanel());
        }
        if (_modal is not null)
        {
            parts.Add(_modal.Render());
        }
        parts.Add(new Panel(new Markup(Markup.Escape(string.Join('\n', _view.Log.DefaultIfEmpty(""))))).Header("Log").Expand());
        parts.Add(new Markup(_modal is not null
            ? "[grey]Enter choose · Esc cancel[/]"
            : "[grey][[a]]ccept [[r]]eject · a[[v]]ailable [[n]]ot ready · [[h]]old [[u]]nhold e[[x]]it call · [[t]]ransfer · "
              + "[[c]]onsult co[[m]]plete [[k]]ancel · [[w]]rap up · [[l]]ook up · [[q]]uit[/]"));
        return new Rows(parts);
    }

    private Panel StateBar()
    {
        var colour = _view.State switch
        {
            AgentState.Available => "green",
            AgentState.NotReady => "yellow",
            AgentState.Reserved => "aqua",
            AgentState.Busy => "red",
            AgentState.WrapUp => "blue",
            _ => "grey",
        };
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Agent [bold]{Markup.Escape(_view.Login.AgentId)}[/]");
        text.Append(CultureInfo.InvariantCulture, $"   State [bold {colour}]{EventText.StateName(_view.State)}[/]");
        text.Append(CultureInfo.InvariantCulture, $"   Reason {Markup.Escape(_view.ReasonCode.Length > 0 ? _view.ReasonCode : "-")}");
        if (_view.WrapUpUntil is { } until && _view.State == AgentState.WrapUp)
        {
            var left = Math.Max(0, (until - time.GetUtcNow()).TotalSeconds);
            text.Append(CultureInfo.InvariantCulture, $" ({left:0} s left)");
        }
        var current = _view.CurrentCall;
        text.Append("   Call " + (current is null ? "-" : Markup.Escape($"{current.CallId} {current.State}")));
        if (_view.WrapUpCallId is { } wrapUp)
        {
            text.Append("   Wrap-up due " + Markup.Escape(wrapUp));
        }
        return new Panel(new Markup(text.ToString())).Header("CallCenter agent desktop").Expand();
    }

    private Panel OfferPanel(Offer offer)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string label, string value) => grid.AddRow(new Markup($"[grey]{label}[/]"), new Markup(Markup.Escape(value)));

        var pop = offer.ScreenPop ?? new ScreenPop();
        var customer = pop.Customer ?? new CustomerView();
        var expires = offer.ExpiresAt is null ? "" : $", answer within {Math.Max(0, (offer.ExpiresAt.ToDateTimeOffset() - time.GetUtcNow()).TotalSeconds):0} s";
        Row("Call", $"{offer.CallId} from {(pop.CallerNumber.Length > 0 ? pop.CallerNumber : "an unknown number")}"
            + (pop.DialledNumber.Length > 0 ? $" to {pop.DialledNumber}" : ""));
        Row("Queue", $"{offer.QueueId}, waited {EventText.Seconds(offer.WaitedSeconds)}{expires}");
        Row("Customer", customer.Name.Length > 0 ? $"{customer.Name} ({(customer.Tier.Length > 0 ? customer.Tier : "no tier")}) {customer.CustomerKey}" : "unknown");
        if (customer.Attributes.Count > 0)
        {
            Row("Profile", string.Join(", ", customer.Attributes.Select(a => $"{a.Key}={a.Value}")));
        }
        Row("IVR data", pop.AttachedData.Count > 0 ? string.Join(", ", pop.AttachedData.Select(a => $"{a.Key}={a.Value}")) : "-");
        if (pop.PreviousAgents.Count > 0)
        {
            Row("Had it", string.Join(", ", pop.PreviousAgents));
        }
        foreach (var note in pop.Notes)
        {
            Row("Note", note);
        }
        IRenderable body = grid;
        if (customer.History.Count > 0)
        {
            var history = new Table().Border(TableBorder.Simple).Title("Contact history")
                .AddColumns("When", "Outcome", "Agent", "Queue", "Wait", "Talk");
            foreach (var contact in customer.History.TakeLast(5))
            {
                history.AddRow(
                    contact.At is null ? "" : contact.At.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    Markup.Escape(contact.Outcome), Markup.Escape(contact.AgentId), Markup.Escape(contact.QueueId),
                    EventText.Seconds(contact.WaitSeconds), EventText.Seconds(contact.TalkSeconds));
            }
            body = new Rows(grid, history);
        }
        return new Panel(body).Header("[bold]Incoming call[/] — [[a]] accept, [[r]] reject").BorderColor(Color.Aqua).Expand();
    }

    private Panel CallsPanel()
    {
        var table = new Table().Border(TableBorder.None).AddColumns("Call", "State", "Queue", "Consulting");
        foreach (var call in _view.Calls)
        {
            table.AddRow(Markup.Escape(call.CallId), Markup.Escape(call.State), Markup.Escape(call.QueueId), Markup.Escape(call.ConsultTarget));
        }
        return new Panel(table).Header("Calls").Expand();
    }

    private abstract record Input;
    private sealed record KeyInput(ConsoleKeyInfo Key) : Input;
    private sealed record EventInput(AgentEvent Event) : Input;
    private sealed record OutcomeInput(CommandOutcome Outcome) : Input;
    private sealed record NoticeInput(DeskNotice Notice) : Input;
    private sealed record LoginInput(LoginReply Reply) : Input;
    private sealed record StreamEndedInput(Exception? Failure) : Input;
    private sealed record TickInput : Input;

    private abstract class Modal
    {
        public abstract Task OnKeyAsync(InteractiveDesk desk, ConsoleKeyInfo key);
        public abstract IRenderable Render();
    }

    /// <summary>A list to choose from with the arrows and Enter, or a number key.</summary>
    private sealed class PickerModal(string title, IReadOnlyList<string> choices, Func<int, Task> onPick) : Modal
    {
        private int _selected;

        public override async Task OnKeyAsync(InteractiveDesk desk, ConsoleKeyInfo key)
        {
            switch (key.Key)
            {
                case ConsoleKey.Escape:
                    desk._modal = null;
                    return;
                case ConsoleKey.UpArrow:
                    _selected = (_selected + choices.Count - 1) % choices.Count;
                    return;
                case ConsoleKey.DownArrow:
                    _selected = (_selected + 1) % choices.Count;
                    return;
                case ConsoleKey.Enter:
                    await PickAsync(desk, _selected);
                    return;
            }
            if (char.IsDigit(key.KeyChar) && key.KeyChar - '1' is var index && index >= 0 && index < choices.Count)
            {
                await PickAsync(desk, index);
            }
        }

        private async Task PickAsync(InteractiveDesk desk, int index)
        {
            // The pick may open the next step (a target to type); otherwise the picker closes.
            desk._modal = null;
            await onPick(index);
        }

        public override IRenderable Render()
        {
            var lines = choices.Select((choice, i) =>
                (i == _selected ? "[black on aqua]" : "[default]") + $"{(i < 9 ? (i + 1).ToString(CultureInfo.InvariantCulture) : " ")}. {Markup.Escape(choice)}[/]");
            return new Panel(new Markup(string.Join('\n', lines))).Header(Markup.Escape(title)).BorderColor(Color.Yellow).Expand();
        }
    }

    /// <summary>A line of text: typed, Backspace, Enter to submit, Esc to cancel.</summary>
    private sealed class TextModal(string title, bool allowEmpty, Func<string, Task> onDone) : Modal
    {
        private readonly StringBuilder _text = new();

        public override async Task OnKeyAsync(InteractiveDesk desk, ConsoleKeyInfo key)
        {
            switch (key.Key)
            {
                case ConsoleKey.Escape:
                    desk._modal = null;
                    return;
                case ConsoleKey.Backspace:
                    if (_text.Length > 0)
                    {
                        _text.Length--;
                    }
                    return;
                case ConsoleKey.Enter:
                    var text = _text.ToString().Trim();
                    if (text.Length == 0 && !allowEmpty)
                    {
                        return;
                    }
                    desk._modal = null;
                    await onDone(text);
                    return;
            }
            if (!char.IsControl(key.KeyChar))
            {
                _text.Append(key.KeyChar);
            }
        }

        public override IRenderable Render() =>
            new Panel(new Markup(Markup.Escape(_text.ToString()) + "[blink]_[/]")).Header(Markup.Escape(title)).BorderColor(Color.Yellow).Expand();
    }
}
