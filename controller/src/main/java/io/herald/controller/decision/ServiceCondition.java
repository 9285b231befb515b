package io.herald.controller.decision;

/** A Service condition as Herald writes it (the adapter adds times and generations). */
public record ServiceCondition(String type, String status, String reason, String message) {}
