package io.herald.api.model;

import static io.herald.testkit.PurePackages.pure;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testkit.PurePackages;
import io.herald.testkit.PurePackages.Pure;
import org.junit.jupiter.api.Test;

/**
 * The address and pool model, and the annotation names beside it, are what every pure package of the
 * controller, the speaker and the converter may use: they themselves use the JDK alone, never the
 * fabric8-annotated API classes (v1alpha1) they are parsed from.
 */
class PureModelTest {

    static final Pure MODEL = pure("io.herald.api.model..");
    static final Pure ANNOTATIONS = pure("io.herald.api");

    @Test
    void theModelAndTheAnnotationNamesUseTheJdkOnly() {
        PurePackages.check(PurePackages.mainClasses("io.herald.api"), MODEL, ANNOTATIONS);
    }

    @Test
    void theRuleCatchesTheModelUsingTheApiClasses() {
        assertTrue(MODEL.violations(UsesApiClass.class).stream()
                .anyMatch(v -> v.contains("io.herald.api.v1alpha1.IPPool")));
    }

    /** Test-only: a model class that reaches for the CRD class. */
    static final class UsesApiClass {
        io.herald.api.v1alpha1.IPPool pool;
    }
}
