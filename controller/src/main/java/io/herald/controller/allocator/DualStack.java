package io.herald.controller.allocator;

/** The Service's {@code spec.ipFamilyPolicy}. */
public enum DualStack {
    SingleStack,
    PreferDualStack,
    RequireDualStack;

    public static DualStack of(String name) {
        if (name == null) {
            return SingleStack;
        }
        return switch (name) {
            case "PreferDualStack" -> PreferDualStack;
            case "RequireDualStack" -> RequireDualStack;
            default -> SingleStack;
        };
    }
}
