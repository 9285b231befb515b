package io.herald.api.v1alpha1;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * The schema, not the Java type, of every label selector in an IPPool: the shape of Kubernetes'
 * LabelSelector, which the fields keep as their type, plus the checks the API server makes on its
 * own selectors but not on a CRD's, with Kubernetes' own key and value validators and messages.
 * The size limits also keep the CEL rules' estimated cost within the API server's budget, which
 * unbounded lists and maps would exceed.
 */
final class LabelSelectorSchema {

    private static final String BAD_KEY = "format.qualifiedName().validate(k).hasValue()";
    private static final String BAD_VALUE = "format.labelValue().validate(self[k]).hasValue()";

    @Size(max = 64)
    @ValidationRule(
            value = "self.all(k, !" + BAD_KEY + ")",
            message = "each key must be a label key such as app or example.com/tier",
            messageExpression = "self.filter(k, " + BAD_KEY + ").map(k, '\"%s\" is not a label key: %s'"
                    + ".format([k, format.qualifiedName().validate(k).value()[0]]))[0]")
    @ValidationRule(
            value = "self.all(k, !" + BAD_VALUE + ")",
            message = "each value must be a label value",
            messageExpression = "self.filter(k, " + BAD_VALUE + ").map(k, '\"%s\" (label %s) is not a label value: %s'"
                    + ".format([self[k], k, format.labelValue().validate(self[k]).value()[0]]))[0]")
    private Map<String, @Size(max = 63) String> matchLabels;

    @Size(max = 32)
    private List<Requirement> matchExpressions;

    public Map<String, String> getMatchLabels() {
        return matchLabels;
    }

    public List<Requirement> getMatchExpressions() {
        return matchExpressions;
    }

    @ValidationRule(
            value = "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0"
                    + " : !has(self.values) || size(self.values) == 0",
            message = "operators In and NotIn need at least one value; Exists and DoesNotExist take none",
            messageExpression = "self.operator in ['In', 'NotIn']"
                    + " ? 'operator ' + self.operator + ' needs at least one value'"
                    + " : 'operator ' + self.operator + ' takes no values'")
    static final class Requirement {

        @Required
        @Size(max = 317)
        @ValidationRule(
                value = "!format.qualifiedName().validate(self).hasValue()",
                message = "must be a label key such as app or example.com/tier",
                messageExpression = "'\"%s\" is not a label key: %s'"
                        + ".format([self, format.qualifiedName().validate(self).value()[0]])")
        private String key;

        @Required
        private Operator operator;

        @Size(max = 64)
        @ValidationRule(
                value = "self.all(v, !format.labelValue().validate(v).hasValue())",
                message = "each value must be a label value",
                messageExpression = "self.filter(v, format.labelValue().validate(v).hasValue()).map(v,"
                        + " '\"%s\" is not a label value: %s'"
                        + ".format([v, format.labelValue().validate(v).value()[0]]))[0]")
        private List<@Size(max = 63) String> values;

        public String getKey() {
            return key;
        }

        public Operator getOperator() {
            return operator;
        }

        public List<String> getValues() {
            return values;
        }
    }

    /** Constants spelled as the API spells them. */
    enum Operator {
        In,
        NotIn,
        Exists,
        DoesNotExist
    }
}
