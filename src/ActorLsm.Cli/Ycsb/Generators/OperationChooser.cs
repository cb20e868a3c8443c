namespace ActorLsm.Cli.Ycsb;

/// <summary>The five CoreWorkload operations.</summary>
internal enum YcsbOperation
{
    Read,
    Update,
    Insert,
    Scan,
    ReadModifyWrite,
}

/// <summary>Picks the next run-phase operation with probabilities proportional to the workload's *proportion properties (they need not sum to 1).</summary>
internal sealed class OperationChooser
{
    private readonly (YcsbOperation Operation, double Weight)[] _choices;
    private readonly double _total;

    /// <exception cref="ArgumentException">All weights are zero.</exception>
    public OperationChooser(CoreWorkloadSettings settings)
    {
        _choices =
        [
            (YcsbOperation.Read, settings.ReadProportion),
            (YcsbOperation.Update, settings.UpdateProportion),
            (YcsbOperation.Insert, settings.InsertProportion),
            (YcsbOperation.Scan, settings.ScanProportion),
            (YcsbOperation.ReadModifyWrite, settings.ReadModifyWriteProportion),
        ];
        _choices = Array.FindAll(_choices, c => c.Weight > 0);
        _total = _choices.Sum(c => c.Weight);
        if (_choices.Length == 0)
        {
            throw new ArgumentException("the operation proportions sum to 0", nameof(settings));
        }
    }

    public YcsbOperation Next(Random random)
    {
        double r = random.NextDouble() * _total;
        foreach ((YcsbOperation operation, double weight) in _choices)
        {
            if (r < weight)
            {
                return operation;
            }

            r -= weight;
        }

        return _choices[^1].Operation;
    }
}
