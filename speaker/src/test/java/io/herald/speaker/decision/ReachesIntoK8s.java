package io.herald.speaker.decision;

/** Test-only: a planner class that reaches into the speaker's k8s adapters, which PureSpeakerCoreTest must catch. */
public final class ReachesIntoK8s {
    io.herald.speaker.k8s.ClusterWatch watch;
}
