using ActorLsm.Cluster;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Hosting.Client;
using ActorLsm.Hosting.Routing;
using ActorLsm.Hosting.Serialization;
using ActorLsm.Shards;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ActorLsm.Hosting;

/// <summary>
/// Embeds the store in an Akka.Hosting application (src/ActorLsm.Hosting/README.md), in the shape of
/// Akka.Hosting's own <c>WithClustering</c> / <c>WithRemoting</c>:
/// <code>
/// builder.Services.AddAkka("shop", (akka, sp) => akka
///     .WithRemoting("127.0.0.1", 2551)
///     .WithClustering(new ClusterOptions { Roles = ["actorlsm"], SeedNodes = ["akka.tcp://shop@127.0.0.1:2551"] })
///     .WithActorLsm(options => { options.DataDirectory = "data/actorlsm"; options.ShardCount = 16; }));
/// builder.Services.AddActorLsmClient();   // IActorLsm in DI
/// </code>
/// </summary>
public static class ActorLsmHostingExtensions
{
    /// <summary>
    /// Makes this member a data member of the store: adds the HOCON defaults as fallbacks
    /// (<see cref="ActorLsmOptions.DefaultConfig"/>, <see cref="ShardedNode.DefaultConfig"/>, the cluster
    /// reference config <see cref="ClusterReferenceConfig.Default"/> without its provider, and
    /// <see cref="SerializationConfig.Default"/>, which registers the MessagePack serializer of the actor
    /// messages); puts the options that are set in front (<see cref="ActorLsmOptions.ToHocon"/>); and, once
    /// the actor system runs, starts this member's shards, the router (registered under
    /// <see cref="ActorLsmRouter"/>) and, when the provider is cluster, the cluster side and the replication
    /// glue (<see cref="ActorLsmMember"/>). A cluster member needs the role <c>actorlsm</c>.
    /// </summary>
    /// <param name="builder">The application's Akka configuration.</param>
    /// <param name="configure">Sets <see cref="ActorLsmOptions"/>; null keeps the HOCON values.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <remarks>
    /// With no provider chosen (neither WithClustering nor WithRemoting nor another), the store runs
    /// single-node on the local provider. Start-up errors (a data directory written with another shard
    /// count, a store locked by another process) fail the host's start.
    /// </remarks>
    public static AkkaConfigurationBuilder WithActorLsm(this AkkaConfigurationBuilder builder, Action<ActorLsmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ActorLsmOptions();
        configure?.Invoke(options);
        AddOptions(builder, options);
        return builder.WithActorLsmMember(ActorLsmMemberSetup.Default);
    }

    /// <summary>
    /// WithActorLsm's defaults and start, with <paramref name="setup"/>: the one code path of both an
    /// application's member and the node executable's (actorlsm-server, whose services get
    /// <c>AddAkka(...)</c> with this call beside its Kestrel listeners).
    /// </summary>
    internal static AkkaConfigurationBuilder WithActorLsmMember(this AkkaConfigurationBuilder builder, ActorLsmMemberSetup setup)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(setup);

        // The cluster reference config says provider = cluster; a store that is not clustered must stay on
        // the provider the application chose (WithClustering/WithRemoting set it through a BootstrapSetup,
        // which wins over HOCON), so the fallback says local.
        builder.AddHocon(
            ActorLsmOptions.DefaultConfig
                .WithFallback(ConfigurationFactory.ParseString("akka.actor.provider = local"))
                .WithFallback(ShardedNode.DefaultConfig)
                .WithFallback(ClusterReferenceConfig.Default)
                .WithFallback(SerializationConfig.Default),
            HoconAddMode.Append);
        builder.StartActors(async (system, registry) =>
        {
            if (setup.Started is not { } started)
            {
                await ActorLsmMember.StartAsync(system, registry, setup).ConfigureAwait(false);
                return;
            }

            ActorLsmMember member;
            try
            {
                member = await ActorLsmMember.StartAsync(system, registry, setup).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                started(null, ex);
                return;
            }

            started(member, null);
        });
        return builder;
    }

    /// <summary>
    /// Makes this member a proxy of the store: it holds no data, and its router (registered under
    /// <see cref="ActorLsmRouter"/>, same messages and replies) forwards every request to the router of an Up
    /// member with <paramref name="role"/>, which routes it by the shard map. Needs the cluster provider.
    /// Adds <see cref="SerializationConfig.Default"/> and <see cref="ActorLsmOptions.DefaultConfig"/> as fallbacks.
    /// </summary>
    /// <param name="builder">The application's Akka configuration.</param>
    /// <param name="role">The data members' role (<c>actorlsm</c>).</param>
    /// <param name="configure">Sets <see cref="ActorLsmOptions"/> (only the router name and retries matter here).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static AkkaConfigurationBuilder WithActorLsmProxy(this AkkaConfigurationBuilder builder, string role = "actorlsm", Action<ActorLsmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        var options = new ActorLsmOptions();
        configure?.Invoke(options);
        AddOptions(builder, options);
        builder.AddHocon(ActorLsmOptions.DefaultConfig.WithFallback(ShardedNode.DefaultConfig).WithFallback(SerializationConfig.Default), HoconAddMode.Append);
        builder.StartActors((system, registry) =>
        {
            if (((ExtendedActorSystem)system).Provider is not Akka.Cluster.IClusterActorRefProvider)
            {
                throw new InvalidOperationException("WithActorLsmProxy needs akka.actor.provider = cluster (WithClustering)");
            }

            Config config = system.Settings.Config;
            IActorRef router = system.ActorOf(
                ProxyRouterActor.Props(
                    role,
                    config.GetString("actorlsm.hosting.router-name", "actorlsm-router"),
                    config.GetInt("actorlsm.hosting.unavailable-retries", 10),
                    config.GetTimeSpan("actorlsm.hosting.retry-backoff", TimeSpan.FromMilliseconds(100)),
                    RemoteFrameLimit.PayloadLimit(config)),
                config.GetString("actorlsm.hosting.router-name", "actorlsm-router"));
            registry.Register<ActorLsmRouter>(router);
        });
        return builder;
    }

    /// <summary>
    /// Registers <see cref="IActorLsm"/> (an <see cref="ActorLsmInClusterClient"/> of the router that
    /// WithActorLsm or WithActorLsmProxy registers) as a singleton. Call it on the service collection beside
    /// <c>AddAkka</c>: Akka.Hosting runs the <c>AddAkka</c> callback only when the container is built, too
    /// late to add services from inside <c>WithActorLsm</c>. Each request waits
    /// <c>actorlsm.node.request-timeout</c> plus 5 s for its reply.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddActorLsmClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IActorLsm>(sp =>
        {
            ActorSystem system = sp.GetRequiredService<ActorSystem>();
            TimeSpan timeout = system.Settings.Config.GetTimeSpan("actorlsm.node.request-timeout", TimeSpan.FromSeconds(30)) + TimeSpan.FromSeconds(5);
            return new ActorLsmInClusterClient(sp.GetRequiredService<ActorRegistry>(), timeout);
        });
        return services;
    }

    private static void AddOptions(AkkaConfigurationBuilder builder, ActorLsmOptions options)
    {
        string hocon = options.ToHocon();
        if (hocon.Length > 0)
        {
            builder.AddHocon(ConfigurationFactory.ParseString(hocon), HoconAddMode.Prepend);
        }
    }
}
