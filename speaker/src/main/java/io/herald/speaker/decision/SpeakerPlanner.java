package io.herald.speaker.decision;

import io.herald.api.model.IpAddress;
import io.herald.speaker.election.Decision;
import io.herald.speaker.election.OwnerElection;
import io.herald.speaker.election.PeerFacts;
import io.herald.speaker.layer2.Claim;
import io.herald.speaker.proxy.ProxyPlanner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the cluster's state and the membership into this speaker's work. Every speaker computes the
 * owner of every address, so exactly one of them writes each Service's announcement condition: the
 * owner of the Service's first address, or, when that address has no owner, the live speaker whose
 * node name sorts first (it reports the failure). A condition is written only when it differs from
 * what the Service carries, so a resync or a restart repeats no event.
 */
public final class SpeakerPlanner {

    private SpeakerPlanner() {}

    /** With the exclude label honoured, as Kubernetes means it. */
    static Plan plan(String self, ClusterState state, Map<String, PeerFacts> peers) {
        return plan(self, state, peers, false);
    }

    /** @param ignoreExcludeLabel let nodes labelled exclude-from-external-load-balancers announce (see {@link OwnerElection}) */
    public static Plan plan(String self, ClusterState state, Map<String, PeerFacts> peers, boolean ignoreExcludeLabel) {
        Map<IpAddress, Decision> decisions = new HashMap<>();
        List<Claim> claims = new ArrayList<>();
        for (AddressFacts a : state.addresses()) {
            Decision d = OwnerElection.elect(a.target(), state.nodes(), peers, ignoreExcludeLabel);
            decisions.put(a.address(), d);
            if (self.equals(d.owner())) {
                claims.add(new Claim(a.address(), d.interfaceName(), a.policy()));
            }
        }
        // a speaker that is not alive in its own view (cut off from every peer and not yet sure it is the
        // last one standing, or stopping) reports nothing: its view is the one that cannot be trusted
        PeerFacts me = peers.get(self);
        String reporter = peers.values().stream()
                .filter(PeerFacts::alive)
                .map(PeerFacts::name)
                .filter(state.nodes()::containsKey)
                .sorted()
                .findFirst()
                .orElse(me == null || me.alive() ? self : null);
        List<ConditionWrite> writes = new ArrayList<>();
        for (ServiceFacts s : state.services()) {
            if (s.addresses().isEmpty()) {
                continue;
            }
            Decision first = decisions.get(s.addresses().get(0));
            if (first == null) {
                continue; // not an address the speakers announce (no pool holds it)
            }
            String writer = first.hasOwner() ? first.owner() : reporter;
            if (!self.equals(writer)) {
                continue;
            }
            ConditionWrite w = condition(s, decisions);
            if (!Objects.equals(s.conditionStatus(), w.status() ? "True" : "False")
                    || !Objects.equals(s.conditionMessage(), w.message())) {
                writes.add(w);
            }
        }
        return new Plan(claims, decisions, writes);
    }

    static ConditionWrite condition(ServiceFacts s, Map<IpAddress, Decision> decisions) {
        List<String> ok = new ArrayList<>(), failed = new ArrayList<>();
        for (IpAddress a : s.addresses()) {
            Decision d = decisions.get(a);
            if (d == null) {
                failed.add(a + ": in no IPPool");
            } else if (d.hasOwner()) {
                ok.add(a + " announced by node " + d.owner() + " on " + d.interfaceName());
            } else {
                failed.add(a + ": no eligible node (" + d.reason() + ")");
            }
        }
        ProxyPlanner.Problem problem = s.problem();
        if (failed.isEmpty()) {
            if (problem != null) {
                ok.add(problem.message());
                return new ConditionWrite(s.ref(), false, problem.reason(), String.join("; ", ok));
            }
            return new ConditionWrite(s.ref(), true, ConditionWrite.ANNOUNCING, String.join("; ", ok));
        }
        List<String> all = new ArrayList<>(failed);
        all.addAll(ok);
        if (problem != null) {
            all.add(problem.message());
        }
        return new ConditionWrite(s.ref(), false, ConditionWrite.ANNOUNCE_FAILED, String.join("; ", all));
    }
}
