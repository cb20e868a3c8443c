namespace ActorLsm.Hocon.Model;

/// <summary>A HOCON array (list): values in order. Arrays never merge; a later array replaces an earlier one.</summary>
public sealed class HoconArray : HoconValue
{
    private readonly List<HoconValue> _items = [];

    internal HoconArray(HoconOrigin origin)
        : base(origin)
    {
    }

    /// <summary>The elements, in order.</summary>
    public IReadOnlyList<HoconValue> Items => _items;

    /// <inheritdoc />
    public override string Describe() => "a list";

    internal void Add(HoconValue value) => _items.Add(value);
}
