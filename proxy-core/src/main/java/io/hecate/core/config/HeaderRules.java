package io.hecate.core.config;

import java.util.List;
import java.util.Map;

/**
 * Edits applied to a header section: {@code remove} first, then {@code set} (replacing), then
 * {@code add} (appending).
 */
public record HeaderRules(Map<String, String> add, Map<String, String> set, List<String> remove) {

    public static final HeaderRules NONE = new HeaderRules(Map.of(), Map.of(), List.of());

    public HeaderRules {
        add = Map.copyOf(add);
        set = Map.copyOf(set);
        remove = List.copyOf(remove);
    }

    public boolean isEmpty() {
        return add.isEmpty() && set.isEmpty() && remove.isEmpty();
    }
}
