using ActorLsm.Hosting.Client;
using ActorLsm.Persistence.Hosting;
using Akka.Actor;
using Akka.Hosting;

namespace ActorLsm.Persistence.Storage;

/// <summary>
/// One <see cref="IPersistenceStorage"/> per store per ActorSystem, shared by the journal, the snapshot
/// store and the read journal (an embedded LsmStore can be opened only once per directory). Embedded stores
/// close when the ActorSystem terminates.
/// </summary>
internal sealed class PersistenceStorageExtension : IExtension
{
    private readonly ExtendedActorSystem _system;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IPersistenceStorage> _stores = new(StringComparer.Ordinal);

    public PersistenceStorageExtension(ExtendedActorSystem system)
    {
        _system = system;
        system.RegisterOnTermination(CloseAll);
    }

    /// <summary>The extension of <paramref name="system"/>.</summary>
    public static PersistenceStorageExtension For(ActorSystem system) => system.WithExtension<PersistenceStorageExtension, Provider>();

    /// <summary>
    /// The storage <paramref name="settings"/> name: the embedded store of its data-dir (opened on first use;
    /// throws StoreLockedException when another process holds it), or the cluster client of the store's router
    /// in this system's ActorRegistry (found on first request).
    /// </summary>
    public IPersistenceStorage Acquire(PluginSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string key = settings.Mode == ActorLsmStoreMode.Embedded ? "embedded:" + Path.GetFullPath(settings.DataDir) : "cluster:" + settings.RequestTimeout.Ticks;
        lock (_lock)
        {
            if (_stores.TryGetValue(key, out IPersistenceStorage? existing))
            {
                return existing;
            }

            IPersistenceStorage created = settings.Mode == ActorLsmStoreMode.Embedded
                ? new EmbeddedStorage(settings.DataDir, settings.IoThreads, settings.WalSyncMode)
                : new ClusterStorage(new ActorLsmInClusterClient(ActorRegistry.For(_system), settings.RequestTimeout), settings.RequestTimeout);
            _stores.Add(key, created);
            return created;
        }
    }

    private void CloseAll()
    {
        lock (_lock)
        {
            foreach (IPersistenceStorage store in _stores.Values)
            {
                (store as IDisposable)?.Dispose();
            }

            _stores.Clear();
        }
    }

    private sealed class Provider : ExtensionIdProvider<PersistenceStorageExtension>
    {
        public override PersistenceStorageExtension CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
