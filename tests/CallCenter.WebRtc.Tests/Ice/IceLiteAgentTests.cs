using System.Net;
using System.Security.Cryptography;
using CallCenter.WebRtc.Ice;
using CallCenter.WebRtc.Stun;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.WebRtc.Tests.Ice;

public sealed class IceLiteAgentTests : IDisposable
{
    private static readonly IPEndPoint BrowserWifi = new(IPAddress.Parse("198.51.100.7"), 50123);
    private static readonly IPEndPoint BrowserLte = new(IPAddress.Parse("203.0.113.9"), 61000);

    private readonly FakeTimeProvider _time = new();
    private readonly IceCredentials _local = IceCredentials.Generate(RandomNumberGenerator.Create());
    private readonly IceLiteAgent _agent;

    public IceLiteAgentTests()
    {
        _agent = new IceLiteAgent(_local, _time);
        _agent.SetRemoteCredentials(BrowserChecks.Browser);
    }

    public void Dispose() => _agent.Dispose();

    private byte[] LocalKey => StunIntegrity.ShortTermKey(_local.Password);

    [Fact]
    public void HandleStun_ValidCheck_AnswersWithMappedAddressIntegrityAndFingerprint()
    {
        var transactionId = BrowserChecks.NewTransactionId();

        var result = _agent.HandleStun(BrowserChecks.Check(_local, transactionId: transactionId), BrowserWifi);

        Assert.Equal(IceLiteOutcome.Answered, result.Outcome);
        var response = StunParser.Parse(result.Response, LocalKey);
        Assert.Equal(StunParseFailure.None, response.Failure);
        Assert.Equal(StunClass.SuccessResponse, response.Message!.Class);
        Assert.Equal(transactionId, response.Message.TransactionId.ToArray());
        Assert.Equal(BrowserWifi, response.Message.XorMappedAddress);
        Assert.True(response.Message.HasMessageIntegrity);
        Assert.True(response.Message.HasFingerprint);
        Assert.Null(_agent.SelectedRemote);
    }

    [Fact]
    public void HandleStun_UseCandidate_SelectsTheSourceAsMediaDestination()
    {
        IPEndPoint? announced = null;
        _agent.SelectedRemoteChanged += endPoint => announced = endPoint;

        var result = _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserWifi);

        Assert.Equal(IceLiteOutcome.Nominated, result.Outcome);
        Assert.Equal(BrowserWifi, _agent.SelectedRemote);
        Assert.Equal(BrowserWifi, announced);
    }

    [Fact]
    public void HandleStun_LaterNominationFromAnotherAddress_MovesTheSelectedPair()
    {
        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserWifi);

        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: false), BrowserLte);
        Assert.Equal(BrowserWifi, _agent.SelectedRemote);

        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserLte);
        Assert.Equal(BrowserLte, _agent.SelectedRemote);
    }

    [Fact]
    public void HandleStun_NominationMoves_AnnouncesEachNewDestinationOnce()
    {
        var announced = new List<IPEndPoint?>();
        _agent.SelectedRemoteChanged += announced.Add;

        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserWifi);
        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserWifi);
        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserLte);

        Assert.Equal([BrowserWifi, BrowserLte], announced);
    }

    [Fact]
    public void SelectedRemote_NoCheckFor30Seconds_ConsentExpires()
    {
        IPEndPoint? announced = BrowserWifi;
        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserWifi);
        _agent.SelectedRemoteChanged += endPoint => announced = endPoint;

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(BrowserWifi, _agent.SelectedRemote);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(announced);
        Assert.Null(_agent.SelectedRemote);
        Assert.Equal(1, _agent.Counters.ConsentExpirations);
    }

    [Fact]
    public void SelectedRemote_ChecksKeepComing_ConsentStaysFresh()
    {
        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserWifi);

        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(20));
            _agent.HandleStun(BrowserChecks.Check(_local), BrowserWifi);
        }

        Assert.Equal(BrowserWifi, _agent.SelectedRemote);
        Assert.Equal(0, _agent.Counters.ConsentExpirations);
    }

    [Fact]
    public void SelectedRemote_ChecksOnlyFromAnotherAddress_DoNotRefreshConsent()
    {
        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserWifi);

        _time.Advance(TimeSpan.FromSeconds(20));
        _agent.HandleStun(BrowserChecks.Check(_local), BrowserLte);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(_agent.SelectedRemote);
    }

    [Fact]
    public void HandleStun_AfterConsentExpired_NewNominationSelectsAgain()
    {
        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserWifi);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(_agent.SelectedRemote);

        _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true), BrowserLte);

        Assert.Equal(BrowserLte, _agent.SelectedRemote);
    }

    [Fact]
    public void HandleStun_WrongPassword_Answers401WithoutIntegrityAndSelectsNothing()
    {
        var result = _agent.HandleStun(BrowserChecks.Check(_local, useCandidate: true, password: "wrongwrongwrongwrongwrong"), BrowserWifi);

        AssertError(result, IceLiteOutcome.Unauthorized, StunErrorCode.Unauthorized, integrityProtected: false);
        Assert.Null(_agent.SelectedRemote);
        Assert.Equal(1, _agent.Counters[IceLiteOutcome.Unauthorized]);
    }

    [Fact]
    public void HandleStun_UsernameForAnotherAgent_Answers401()
    {
        var result = _agent.HandleStun(BrowserChecks.Check(_local, username: "nobody:brws"), BrowserWifi);

        AssertError(result, IceLiteOutcome.Unauthorized, StunErrorCode.Unauthorized, integrityProtected: false);
    }

    [Fact]
    public void HandleStun_UsernameWithoutRemoteUfrag_Answers401()
    {
        var result = _agent.HandleStun(BrowserChecks.Check(_local, username: _local.Ufrag + ":"), BrowserWifi);

        AssertError(result, IceLiteOutcome.Unauthorized, StunErrorCode.Unauthorized, integrityProtected: false);
    }

    [Fact]
    public void HandleStun_RemoteUfragNotTheOneFromSdp_Answers401()
    {
        var result = _agent.HandleStun(BrowserChecks.Check(_local, username: $"{_local.Ufrag}:other"), BrowserWifi);

        AssertError(result, IceLiteOutcome.Unauthorized, StunErrorCode.Unauthorized, integrityProtected: false);
    }

    [Fact]
    public void HandleStun_RemoteCredentialsNotYetKnown_AcceptsAnyRemoteUfrag()
    {
        using var early = new IceLiteAgent(_local, _time);

        var result = early.HandleStun(BrowserChecks.Check(_local, username: $"{_local.Ufrag}:whoever"), BrowserWifi);

        Assert.Equal(IceLiteOutcome.Answered, result.Outcome);
    }

    [Fact]
    public void HandleStun_NoMessageIntegrity_Answers400()
    {
        var request = BrowserChecks.Start().AddUsername($"{_local.Ufrag}:brws").AddPriority(1).AddIceControlling(1).Build();

        AssertError(_agent.HandleStun(request, BrowserWifi), IceLiteOutcome.BadRequest, StunErrorCode.BadRequest, integrityProtected: false);
    }

    [Fact]
    public void HandleStun_NoUsername_Answers400()
    {
        var request = BrowserChecks.Start().AddPriority(1).AddIceControlling(1).Build(LocalKey);

        AssertError(_agent.HandleStun(request, BrowserWifi), IceLiteOutcome.BadRequest, StunErrorCode.BadRequest, integrityProtected: false);
    }

    [Fact]
    public void HandleStun_NoFingerprint_Answers400()
    {
        var request = BrowserChecks.Start().AddUsername($"{_local.Ufrag}:brws").AddPriority(1).AddIceControlling(1)
            .Build(LocalKey, fingerprint: false);

        AssertError(_agent.HandleStun(request, BrowserWifi), IceLiteOutcome.BadRequest, StunErrorCode.BadRequest, integrityProtected: false);
    }

    [Fact]
    public void HandleStun_NoPriorityOrNoRole_Answers400()
    {
        var noPriority = BrowserChecks.Start().AddUsername($"{_local.Ufrag}:brws").AddIceControlling(1).Build(LocalKey);
        var noRole = BrowserChecks.Start().AddUsername($"{_local.Ufrag}:brws").AddPriority(1).Build(LocalKey);

        AssertError(_agent.HandleStun(noPriority, BrowserWifi), IceLiteOutcome.BadRequest, StunErrorCode.BadRequest, integrityProtected: false);
        AssertError(_agent.HandleStun(noRole, BrowserWifi), IceLiteOutcome.BadRequest, StunErrorCode.BadRequest, integrityProtected: false);
        Assert.Equal(2, _agent.Counters[IceLiteOutcome.BadRequest]);
    }

    [Fact]
    public void HandleStun_PeerAlsoControlled_Answers487AndKeepsTheControlledRole()
    {
        var request = BrowserChecks.Start().AddUsername($"{_local.Ufrag}:brws").AddPriority(1).AddIceControlled(ulong.MaxValue)
            .AddUseCandidate().Build(LocalKey);

        var result = _agent.HandleStun(request, BrowserWifi);

        AssertError(result, IceLiteOutcome.RoleConflict, StunErrorCode.RoleConflict, integrityProtected: true);
        Assert.Null(_agent.SelectedRemote);
    }

    [Fact]
    public void HandleStun_UnknownComprehensionRequiredAttribute_Answers420ListingIt()
    {
        var request = BrowserChecks.Start().AddUsername($"{_local.Ufrag}:brws").AddPriority(1).AddIceControlling(1)
            .Add(0x7F01, [1, 2, 3, 4]).Build(LocalKey);

        var result = _agent.HandleStun(request, BrowserWifi);

        var response = AssertError(result, IceLiteOutcome.UnknownAttribute, StunErrorCode.UnknownAttribute, integrityProtected: true);
        Assert.Equal([(ushort)0x7F01], response.UnknownAttributes);
    }

    [Fact]
    public void HandleStun_UnknownComprehensionOptionalAttribute_IsIgnored()
    {
        var request = BrowserChecks.Start().AddUsername($"{_local.Ufrag}:brws").AddPriority(1).AddIceControlling(1)
            .Add(0xC057, [0, 1, 0, 10]).Build(LocalKey);

        Assert.Equal(IceLiteOutcome.Answered, _agent.HandleStun(request, BrowserWifi).Outcome);
    }

    [Fact]
    public void HandleStun_ResponsesAndIndications_AreDroppedWithoutAnswer()
    {
        var response = new StunMessageBuilder(StunClass.SuccessResponse, StunMethod.Binding, BrowserChecks.NewTransactionId()).Build();
        var indication = new StunMessageBuilder(StunClass.Indication, StunMethod.Binding, BrowserChecks.NewTransactionId()).Build();

        Assert.Null(_agent.HandleStun(response, BrowserWifi).Response);
        Assert.Null(_agent.HandleStun(indication, BrowserWifi).Response);
        Assert.Equal(2, _agent.Counters[IceLiteOutcome.DroppedNotRequest]);
    }

    [Fact]
    public void HandleStun_Garbage_IsDroppedAndCountedByReason()
    {
        var badFingerprint = BrowserChecks.Check(_local);
        badFingerprint[^1] ^= 0xFF;

        var truncated = _agent.HandleStun([1, 2, 3], BrowserWifi);
        var corrupted = _agent.HandleStun(badFingerprint, BrowserWifi);

        Assert.Null(truncated.Response);
        Assert.Equal(StunParseFailure.Truncated, truncated.ParseFailure);
        Assert.Null(corrupted.Response);
        Assert.Equal(StunParseFailure.BadFingerprint, corrupted.ParseFailure);

        Assert.Equal(2, _agent.Counters[IceLiteOutcome.DroppedMalformed]);
        Assert.Equal(1, _agent.Counters[StunParseFailure.Truncated]);
        Assert.Equal(1, _agent.Counters[StunParseFailure.BadFingerprint]);
    }

    private StunMessage AssertError(IceLiteResult result, IceLiteOutcome outcome, int code, bool integrityProtected)
    {
        Assert.Equal(outcome, result.Outcome);
        var parsed = StunParser.Parse(result.Response);
        Assert.Equal(StunParseFailure.None, parsed.Failure);
        var response = parsed.Message!;
        Assert.Equal(StunClass.ErrorResponse, response.Class);
        Assert.Equal(code, response.ErrorCode!.Code);
        Assert.True(response.HasFingerprint);
        Assert.Equal(integrityProtected, response.HasMessageIntegrity);
        if (integrityProtected)
        {
            Assert.True(response.VerifyMessageIntegrity(LocalKey));
        }

        return response;
    }
}
