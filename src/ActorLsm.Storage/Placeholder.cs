namespace ActorLsm.Storage;

internal static class Placeholder
{
}
