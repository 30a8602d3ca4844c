package io.edgegw.fleet;

import com.google.common.collect.ImmutableList;
import io.edgegw.mqtt.GatewayAnnouncement;
import io.edgegw.mqtt.StatusMessage;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each gateway stands, from what the broker retains: its announcement, and per resource the
 * sync published, whether the sidecar's status is about that very change (the echoed
 * {@code resourceVersion}) and what it says. Pure.
 */
public final class FleetReport {
  /**
   * One gateway. {@code pending}: resources whose latest change has no final status yet (none, an
   * older one, or only accepted); {@code deletesPending}: resources deleted by the sync whose status
   * the sidecar has not cleared yet.
   */
  public record Gateway(
      String id,
      Optional<GatewayAnnouncement> announcement,
      Optional<Boolean> linkUp,
      int resources,
      int applied,
      int rejected,
      int rejectedByEnvoy,
      int pending,
      int deletesPending,
      ImmutableList<String> problems) {
    /**
     * Its sidecar says online and, when the node's bridge reports its link, the link is up: a node
     * cut off from the cloud cannot update its own retained status, so its bridge's Will tells.
     */
    public boolean online() {
      return announcement.map(GatewayAnnouncement::online).orElse(false) && linkUp.orElse(true);
    }

    /** Every change the sync made here has a final status. */
    public boolean settled() {
      return pending == 0 && deletesPending == 0;
    }

    /** Targeted: the sync placed something here (or is taking something away). */
    public boolean targeted() {
      return resources > 0 || deletesPending > 0;
    }
  }

  private FleetReport() {}

  public static ImmutableList<Gateway> of(BrokerView view) {
    ImmutableList.Builder<Gateway> out = ImmutableList.builder();
    for (String id : view.gatewayIds()) {
      Map<ResourceKey, BrokerView.Retained> resources = view.resourcesOf(id);
      Map<ResourceKey, StatusMessage> statuses = view.statusesOf(id);
      int applied = 0;
      int rejected = 0;
      int rejectedByEnvoy = 0;
      int pending = 0;
      List<String> problems = new ArrayList<>();
      int counted = 0;
      for (Map.Entry<ResourceKey, BrokerView.Retained> entry : resources.entrySet()) {
        Optional<String> version =
            entry.getValue().resourceVersion().filter(v -> v.startsWith(Payloads.VERSION_PREFIX));
        if (version.isEmpty()) {
          continue; // not the sync's
        }
        counted++;
        StatusMessage status = statuses.get(entry.getKey());
        if (status == null || !status.resourceVersion().equals(version)) {
          pending++;
          continue;
        }
        switch (status.state()) {
          case APPLIED -> applied++;
          case ACCEPTED -> pending++;
          case REJECTED -> {
            rejected++;
            problems.add(entry.getKey() + ": rejected: " + String.join("; ", status.reasons()));
          }
          case REJECTED_BY_ENVOY -> {
            rejectedByEnvoy++;
            problems.add(entry.getKey() + ": rejected by Envoy: " + String.join("; ", status.reasons()));
          }
        }
      }
      int deletesPending = (int) statuses.entrySet().stream()
          .filter(e -> !resources.containsKey(e.getKey()))
          .filter(e -> e.getValue().resourceVersion().map(v -> v.startsWith(Payloads.VERSION_PREFIX)).orElse(false))
          .count();
      out.add(
          new Gateway(
              id,
              Optional.ofNullable(view.gateways().get(id)),
              view.linkUp(id),
              counted,
              applied,
              rejected,
              rejectedByEnvoy,
              pending,
              deletesPending,
              ImmutableList.copyOf(problems)));
    }
    return out.build();
  }

  /** {@code --wait-applied} is done: every targeted online gateway has a final status for every change. */
  public static boolean settled(List<Gateway> gateways) {
    return gateways.stream().filter(Gateway::online).filter(Gateway::targeted).allMatch(Gateway::settled);
  }

  /** A table for people: one line per gateway, then the problems. */
  public static String render(List<Gateway> gateways) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "%-20s %-8s %-22s %-8s %-8s %9s %7s %8s %14s %7s  %s%n",
            "GATEWAY",
            "STATE",
            "SINCE",
            "SERVED",
            "VERSION",
            "RESOURCES",
            "APPLIED",
            "REJECTED",
            "ENVOY-REJECTED",
            "PENDING",
            "LABELS"));
    for (Gateway g : gateways) {
      Optional<GatewayAnnouncement> a = g.announcement();
      out.append(
          String.format(
              "%-20s %-8s %-22s %-8s %-8s %9d %7d %8d %14d %7d  %s%n",
              g.id(),
              a.isEmpty()
                  ? "unknown"
                  : g.online() ? "online" : g.linkUp().orElse(true) ? "offline" : "cut-off",
              a.flatMap(GatewayAnnouncement::since)
                  .map(t -> t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
                  .orElse("-"),
              a.flatMap(GatewayAnnouncement::servedVersion)
                  .map(v -> v.length() > 8 ? v.substring(0, 8) : v)
                  .orElse("-"),
              a.flatMap(GatewayAnnouncement::softwareVersion).orElse("-"),
              g.resources(),
              g.applied(),
              g.rejected(),
              g.rejectedByEnvoy(),
              g.pending() + g.deletesPending(),
              a.flatMap(GatewayAnnouncement::labels)
                  .map(
                      l ->
                          l.entrySet().stream()
                              .map(e -> e.getKey() + "=" + e.getValue())
                              .reduce((x, y) -> x + "," + y)
                              .orElse(""))
                  .orElse("(not announced)")));
    }
    for (Gateway g : gateways) {
      g.problems().forEach(p -> out.append(g.id()).append(": ").append(p).append(System.lineSeparator()));
    }
    return out.toString();
  }
}
