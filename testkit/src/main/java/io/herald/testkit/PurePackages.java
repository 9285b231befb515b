package io.herald.testkit;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Herald's pure-core rule as allow-lists, one per pure package, after the idea of an import-control
 * file: a pure package may use the JDK, the pure model ({@code io.herald.api.model}), itself and the
 * packages named for it, and nothing else. A list of forbidden libraries only catches what its author
 * thought of; an allow-list also catches a decision reaching into its own module's adapters ({@code k8s},
 * {@code netty}, {@code pcap}) or a library nobody listed.
 *
 * <p>Package names follow ArchUnit: {@code a.b} is that package alone, {@code a.b..} it and its
 * subpackages. A rule whose package holds no class fails, so a renamed package cannot leave its rule
 * checking nothing.
 */
public final class PurePackages {

    public static final String JDK = "java..";
    public static final String MODEL = "io.herald.api.model..";

    /** One pure package and what it may use besides the JDK, the model and itself. */
    public record Pure(String name, List<String> jdk, List<String> jdkExcept, List<String> uses) {
        public Pure {
            jdk = List.copyOf(jdk);
            jdkExcept = List.copyOf(jdkExcept);
            uses = List.copyOf(uses);
        }

        /** Also allowed: these packages (named pure packages, or a JDK package outside {@code java..} such as {@code javax.crypto..}). */
        public Pure mayUse(String... packages) {
            return new Pure(name, jdk, jdkExcept, concat(uses, packages));
        }

        /** Of the JDK, only these packages (instead of all of {@code java..}). */
        public Pure jdkOnly(String... packages) {
            return new Pure(name, List.of(packages), jdkExcept, uses);
        }

        /** Of the JDK, not these packages (I/O the package must leave to its adapters, say). */
        public Pure jdkExcept(String... packages) {
            return new Pure(name, jdk, concat(jdkExcept, packages), uses);
        }

        /** What the package's classes may depend on. */
        public DescribedPredicate<JavaClass> allowed() {
            String[] all = Stream.of(jdk.stream(), Stream.of(MODEL, name), uses.stream())
                    .flatMap(s -> s)
                    .toArray(String[]::new);
            DescribedPredicate<JavaClass> in = resideInAnyPackage(all);
            if (!jdkExcept.isEmpty()) {
                in = in.and(not(resideInAnyPackage(jdkExcept.toArray(String[]::new))));
            }
            return in.as("only " + String.join(", ", all)
                    + (jdkExcept.isEmpty() ? "" : " (not " + String.join(", ", jdkExcept) + ")"));
        }

        public ArchRule rule() {
            return classes()
                    .that()
                    .resideInAPackage(name)
                    .should()
                    .onlyDependOnClassesThat(allowed())
                    .because(name + " is pure: decisions on plain values, I/O in the adapters");
        }

        /**
         * What this package's rule reports for {@code offenders}, test-only classes placed in the package
         * to show the rule bites; empty when it reports nothing.
         */
        public List<String> violations(Class<?>... offenders) {
            return rule().evaluate(new ClassFileImporter().importClasses(offenders))
                    .getFailureReport()
                    .getDetails();
        }
    }

    /** A pure package that may use the JDK, the model and itself; widen or narrow it with the methods of {@link Pure}. */
    public static Pure pure(String name) {
        return new Pure(name, List.of(JDK), List.of(), List.of());
    }

    /** The main (not test) classes of {@code packages} and their subpackages, as found on the class path. */
    public static JavaClasses mainClasses(String... packages) {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(packages);
    }

    /** Checks every package's rule against {@code classes}; fails with every violation of the first rule broken. */
    public static void check(JavaClasses classes, Pure... packages) {
        for (Pure p : packages) {
            p.rule().check(classes);
        }
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(Arrays.asList(b));
        return all;
    }

    private PurePackages() {}
}
