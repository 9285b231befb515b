package io.herald.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A range of addresses Herald hands to LoadBalancer Services, with who may draw from it and how its
 * addresses are announced. Cluster-scoped: pools are infrastructure that an operator owns, and one
 * pool serves many namespaces.
 */
@Group(IPPool.GROUP)
@Version(IPPool.VERSION)
@Plural("ippools")
// Calico's and Cilium's pools answer to "ippools" too: "ipp" and the category "herald" (kubectl get
// herald) are Herald's alone, and ippools.herald.io always is.
@ShortNames("ipp")
@Categories("herald")
@AdditionalPrinterColumn(name = "Addresses", jsonPath = ".spec.addresses", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.trafficMode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Assigned", jsonPath = ".status.assigned", type = AdditionalPrinterColumn.Type.INTEGER)
// A string: the count of a /64 does not fit the integer column type.
@AdditionalPrinterColumn(name = "Available", jsonPath = ".status.available", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
// Custom columns replace kubectl's default ones, Age included, so it is listed again.
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class IPPool extends CustomResource<IPPoolSpec, IPPoolStatus> {

    public static final String GROUP = "herald.io";
    public static final String VERSION = "v1alpha1";

    /** Overridden only to make {@code spec} required: a pool without addresses means nothing. */
    @Override
    @Required
    public IPPoolSpec getSpec() {
        return super.getSpec();
    }
}
