// Tests here start real UDP sockets and external peers (SIPp, baresip); run the classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
