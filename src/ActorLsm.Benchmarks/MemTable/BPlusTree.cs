using System.Diagnostics;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Benchmarks.Memtables;

/// <summary>
/// A plain in-memory B+tree of internal keys (byte[] per key and per value, ordered by
/// <see cref="InternalKey.Compare"/>), used only as a comparison baseline for the arena skiplist
/// memtable. Leaves hold up to <see cref="Fanout"/> entries and link to their right sibling for
/// ordered scans; inner nodes hold separator keys (the first key of each child but the first).
/// Single-threaded: no concurrent readers, unlike the memtable.
/// </summary>
internal sealed class BPlusTree
{
    /// <summary>Largest number of keys in a node.</summary>
    public const int Fanout = 64;

    private Node _root = new Leaf();

    public int Count { get; private set; }

    /// <summary>Inserts <paramref name="internalKey"/> -&gt; <paramref name="value"/>; the tree keeps the arrays. REQUIRES: the key is not present.</summary>
    public void Insert(byte[] internalKey, byte[] value)
    {
        (byte[] Separator, Node Right)? split = Insert(_root, internalKey, value);
        if (split is { } s)
        {
            var root = new Inner();
            root.Keys[0] = s.Separator;
            root.Children[0] = _root;
            root.Children[1] = s.Right;
            root.Count = 1;
            _root = root;
        }

        Count++;
    }

    /// <summary>
    /// The newest entry of <paramref name="userKey"/> at or below <paramref name="snapshotSequence"/>,
    /// with the same semantics as MemTable.Get: true and the value for a Put, false otherwise.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> userKey, ulong snapshotSequence, out byte[]? value)
    {
        Span<byte> seekKey = userKey.Length <= 256 ? stackalloc byte[userKey.Length + InternalKey.TrailerSize] : new byte[userKey.Length + InternalKey.TrailerSize];
        InternalKey.Encode(seekKey, userKey, snapshotSequence, InternalKey.KindForSeek);
        (Leaf? leaf, int index) = LowerBound(seekKey);
        if (leaf is not null && InternalKey.UserKey(leaf.Keys[index]).SequenceEqual(userKey) && InternalKey.Kind(leaf.Keys[index]) == ValueKind.Put)
        {
            value = leaf.Values[index];
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Visits every entry in key order; returns the sum of key and value lengths (so the scan cannot be elided).</summary>
    public long ScanAll()
    {
        Node node = _root;
        while (node is Inner inner)
        {
            node = inner.Children[0];
        }

        long total = 0;
        for (var leaf = (Leaf?)node; leaf is not null; leaf = leaf.Next)
        {
            for (int i = 0; i < leaf.Count; i++)
            {
                total += leaf.Keys[i].Length + leaf.Values[i].Length;
            }
        }

        return total;
    }

    /// <summary>The leaf and slot of the first key &gt;= <paramref name="key"/>, or (null, 0) past the end.</summary>
    private (Leaf? Leaf, int Index) LowerBound(ReadOnlySpan<byte> key)
    {
        Node node = _root;
        while (node is Inner inner)
        {
            node = inner.Children[UpperBound(inner, key)];
        }

        var leaf = (Leaf)node;
        int index = LowerBound(leaf, key);
        if (index == leaf.Count)
        {
            // The lower bound is the first key of the next leaf (separators equal first keys).
            return leaf.Next is { Count: > 0 } next ? (next, 0) : (null, 0);
        }

        return (leaf, index);
    }

    private static (byte[], Node)? Insert(Node node, byte[] key, byte[] value)
    {
        if (node is Leaf leaf)
        {
            int slot = LowerBound(leaf, key);
            Debug.Assert(slot == leaf.Count || InternalKey.Compare(leaf.Keys[slot], key) != 0, "duplicate key");
            Array.Copy(leaf.Keys, slot, leaf.Keys, slot + 1, leaf.Count - slot);
            Array.Copy(leaf.Values, slot, leaf.Values, slot + 1, leaf.Count - slot);
            leaf.Keys[slot] = key;
            leaf.Values[slot] = value;
            leaf.Count++;
            return leaf.Count > Fanout ? SplitLeaf(leaf) : null;
        }

        var inner = (Inner)node;
        int child = UpperBound(inner, key);
        if (Insert(inner.Children[child], key, value) is not { } split)
        {
            return null;
        }

        Array.Copy(inner.Keys, child, inner.Keys, child + 1, inner.Count - child);
        Array.Copy(inner.Children, child + 1, inner.Children, child + 2, inner.Count - child);
        inner.Keys[child] = split.Item1;
        inner.Children[child + 1] = split.Item2;
        inner.Count++;
        return inner.Count > Fanout ? SplitInner(inner) : null;
    }

    private static (byte[], Node) SplitLeaf(Leaf leaf)
    {
        int half = leaf.Count / 2;
        var right = new Leaf { Count = leaf.Count - half, Next = leaf.Next };
        Array.Copy(leaf.Keys, half, right.Keys, 0, right.Count);
        Array.Copy(leaf.Values, half, right.Values, 0, right.Count);
        Array.Clear(leaf.Keys, half, right.Count);
        Array.Clear(leaf.Values, half, right.Count);
        leaf.Count = half;
        leaf.Next = right;
        return (right.Keys[0], right);
    }

    private static (byte[], Node) SplitInner(Inner inner)
    {
        // Keys [0, half) stay, key half moves up, keys (half, Count) go right.
        int half = inner.Count / 2;
        byte[] separator = inner.Keys[half];
        var right = new Inner { Count = inner.Count - half - 1 };
        Array.Copy(inner.Keys, half + 1, right.Keys, 0, right.Count);
        Array.Copy(inner.Children, half + 1, right.Children, 0, right.Count + 1);
        Array.Clear(inner.Keys, half, inner.Count - half);
        Array.Clear(inner.Children, half + 1, inner.Count - half);
        inner.Count = half;
        return (separator, right);
    }

    /// <summary>First slot whose key is &gt;= key.</summary>
    private static int LowerBound(Node node, ReadOnlySpan<byte> key)
    {
        int lo = 0;
        int hi = node.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (InternalKey.Compare(node.Keys[mid], key) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Child to descend into: the number of separators &lt;= key.</summary>
    private static int UpperBound(Inner inner, ReadOnlySpan<byte> key)
    {
        int lo = 0;
        int hi = inner.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (InternalKey.Compare(inner.Keys[mid], key) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private abstract class Node
    {
        // One spare slot: a node may overflow by one key before it splits.
        public byte[][] Keys { get; } = new byte[Fanout + 1][];

        public int Count { get; set; }
    }

    private sealed class Leaf : Node
    {
        public byte[][] Values { get; } = new byte[Fanout + 1][];

        public Leaf? Next { get; set; }
    }

    private sealed class Inner : Node
    {
        public Node[] Children { get; } = new Node[Fanout + 2];
    }
}
