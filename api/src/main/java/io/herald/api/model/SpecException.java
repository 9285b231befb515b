package io.herald.api.model;

/** A pool spec that cannot be used, with a message naming the object and the entry at fault. */
public final class SpecException extends Exception {
    private static final long serialVersionUID = 1L;

    public SpecException(String message) {
        super(message);
    }
}
