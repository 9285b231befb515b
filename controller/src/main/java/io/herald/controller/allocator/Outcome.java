package io.herald.controller.allocator;

/** The allocator's answer to a request: addresses, or a refusal saying why not. */
public sealed interface Outcome {
    record Assigned(Allocation allocation) implements Outcome {}

    record Refused(Refusal refusal) implements Outcome {}
}
