package io.herald.controller.allocator;

/** Why a Service got no address. The message names the exact cause, for events and conditions. */
public record Refusal(Reason reason, String message) {

    /** Refusal causes, also the label values of the refusal metric. */
    public enum Reason {
        NoPool,
        PoolNotFound,
        PoolConflicting,
        PoolDisabled,
        NotAllowed,
        PoolExhausted,
        AddressInUse,
        AddressNotInPool,
        AddressExcluded,
        FamilyUnavailable,
        InvalidRequest
    }
}
