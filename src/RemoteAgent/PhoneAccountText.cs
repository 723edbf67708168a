using System.Text.Json;
using CallCenter.Gateway.V1;

namespace CallCenter.RemoteAgent;

/// <summary>How the desktop shows a freshly provisioned phone account: what to type into the softphone, the password once.</summary>
public static class PhoneAccountText
{
    public static void Write(TextWriter output, PhoneAccountReply phone, bool json)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["type"] = "phone_account",
                ["username"] = phone.Username,
                ["domain"] = phone.Realm,
                ["registrar"] = phone.Registrar,
                ["password"] = phone.Password,
            }));
            return;
        }

        output.WriteLine("SIP phone account (the password is shown this once; the contact center keeps only its digest):");
        output.WriteLine($"  username:  {phone.Username}");
        output.WriteLine($"  domain:    {phone.Realm}");
        output.WriteLine($"  registrar: sip:{phone.Registrar}");
        output.WriteLine($"  password:  {phone.Password}");
    }
}
