using SharpFuzz;

namespace ActorLsm.Fuzz;

/// <summary>
/// Entry point of the AFL++ fuzz targets: <c>dotnet ActorLsm.Fuzz.dll frame|resp</c> reads inputs from
/// afl-fuzz (SharpFuzz's fork-server equivalent, in process) or, outside afl-fuzz, runs one input from
/// stdin (how a crash file is replayed: <c>dotnet ActorLsm.Fuzz.dll resp &lt; crash</c>). A finding is
/// any exception that escapes a target: the decoders' documented errors are caught inside.
/// <c>seeds DIR</c> writes the seed corpus (<see cref="Seeds"/>).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args is ["seeds", string dir])
        {
            Seeds.Write(dir);
            return 0;
        }

        if (args.Length != 1 || args[0] is not ("frame" or "resp"))
        {
            Console.Error.WriteLine("usage: ActorLsm.Fuzz frame|resp   (input on stdin, or from afl-fuzz)\n       ActorLsm.Fuzz seeds DIR   (writes the seed corpus)");
            return 2;
        }

        Action<byte[]> target = args[0] == "frame" ? FrameTarget.Run : RespTarget.Run;

        bool warm = false;
        Fuzzer.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            if (!warm)
            {
                // Type initializers, Protobuf descriptors and JIT, before the first input, so that the
                // per-input allocation bound measures decoding only. Inside Run: instrumented code may
                // only run once SharpFuzz has mapped afl-fuzz's coverage memory.
                foreach (byte[] seed in args[0] == "frame" ? FrameTarget.WarmUp : RespTarget.WarmUp)
                {
                    target(seed);
                }

                warm = true;
            }

            target(copy.ToArray());
        });
        return 0;
    }
}
