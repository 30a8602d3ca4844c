package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code exportTo} of a VirtualService, ServiceEntry or DestinationRule: the namespaces whose proxies
 * see it. {@code .} is the resource's own namespace, {@code *} every namespace (also what an empty
 * list means, istiod's mesh default), {@code ~} none, anything else a namespace name.
 */
public record ExportTo(ImmutableList<String> entries) {
  public static final ExportTo EVERYWHERE = new ExportTo(ImmutableList.of());

  /** Decodes and validates as istiod: known values, no duplicates, {@code *} and {@code ~} alone. */
  public static ExportTo decode(Field field) {
    ImmutableList<String> entries = field.strings();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      Field item = field.items().get(i);
      if (!entry.equals(".") && !entry.equals("*") && !entry.equals("~") && !Checks.isDnsLabel(entry)) {
        item.error("invalid exportTo " + entry + ": use \".\", \"*\", \"~\" or a namespace name");
      } else if (!seen.add(entry)) {
        item.error("duplicate exportTo " + entry);
      } else if ((entry.equals("*") || entry.equals("~")) && entries.size() > 1) {
        item.error("exportTo " + entry + " cannot be combined with other values");
      }
    }
    return entries.isEmpty() ? EVERYWHERE : new ExportTo(entries);
  }

  /** Whether a proxy in {@code viewer} sees a resource of namespace {@code own} exported like this. */
  public boolean visibleTo(String own, String viewer) {
    return entries.isEmpty() || entries.contains("*") || entries.contains(viewer)
        || (entries.contains(".") && own.equals(viewer));
  }
}
