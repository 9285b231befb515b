package io.herald.speaker.decision;

import io.herald.api.model.IpAddress;
import io.herald.speaker.election.Decision;
import io.herald.speaker.layer2.Claim;
import java.util.List;
import java.util.Map;

/** What this speaker must do now: the addresses it claims, every owner, and the conditions it writes. */
public record Plan(List<Claim> claims, Map<IpAddress, Decision> decisions, List<ConditionWrite> writes) {

    /** Addresses that no node may announce now: assigned to a Service, answered by nobody. */
    public int unowned() {
        return (int) decisions.values().stream().filter(d -> !d.hasOwner()).count();
    }
}
