namespace ActorLsm.Hocon.Model;

/// <summary>
/// A node of a HOCON document. After resolution (what <see cref="HoconConfig"/> exposes) a tree holds
/// only <see cref="HoconObject"/>, <see cref="HoconArray"/> and <see cref="HoconScalar"/>; before it,
/// <see cref="HoconSubstitution"/> and internal concatenation/merge nodes may also appear.
/// </summary>
public abstract class HoconValue
{
    private protected HoconValue(HoconOrigin origin)
    {
        Origin = origin;
    }

    /// <summary>Where the value was written; typed getters use it to name the file and line in errors.</summary>
    public HoconOrigin Origin { get; }

    /// <summary>A short human description used in error messages (<c>"abc"</c>, <c>an object</c>, <c>a list</c>).</summary>
    public abstract string Describe();
}
