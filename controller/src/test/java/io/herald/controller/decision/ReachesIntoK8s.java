package io.herald.controller.decision;

/** Test-only: a decision that reaches into the controller's k8s adapters, which PureCoreTest must catch. */
public final class ReachesIntoK8s {
    io.herald.controller.k8s.ControllerLoop loop;
    io.fabric8.kubernetes.api.model.Service service;
    java.net.http.HttpClient http;
}
