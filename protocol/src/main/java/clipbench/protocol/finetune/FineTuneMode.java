package clipbench.protocol.finetune;

import clipbench.api.spi.FineTunable;
import clipbench.api.spi.TowerCut;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What part of the image tower a fine-tuning row trains ({@code --finetune}): {@code head} (the frozen-feature
 * heads), {@code last:N} (the last N blocks of the tower and the head), {@code all} (every block, the stem
 * included) or {@code after:LAYER} (Keras graphs: every layer after the named one).
 *
 * <p>{@code last:0} trains no block: it is {@link #frozen()} like {@code head}, and the runner sends it through
 * the very same frozen-feature head fit, so the two cannot drift apart.
 *
 * @param kind  which of the four forms
 * @param last  N of {@code last:N}; 0 otherwise
 * @param layer LAYER of {@code after:LAYER}; null otherwise
 */
public record FineTuneMode(Kind kind, int last, String layer) {
    /** The setting's name in errors. */
    public static final String FIELD = "--finetune";
    public static final FineTuneMode HEAD = new FineTuneMode(Kind.HEAD, 0, null);
    public static final FineTuneMode ALL = new FineTuneMode(Kind.ALL, 0, null);

    public enum Kind { HEAD, LAST, ALL, AFTER }

    public FineTuneMode {
        if (last < 0) {
            throw new IllegalArgumentException(FIELD + ": last:N needs N >= 0, got " + last);
        }
        if ((kind == Kind.AFTER) != (layer != null)) {
            throw new IllegalArgumentException(FIELD + ": a layer goes with after:LAYER only");
        }
    }

    public static FineTuneMode last(int n) {
        return new FineTuneMode(Kind.LAST, n, null);
    }

    /** Parses one mode: {@code head}, {@code last:N}, {@code all} or {@code after:LAYER}. */
    public static FineTuneMode parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.equals("head")) {
            return HEAD;
        }
        if (s.equals("all")) {
            return ALL;
        }
        if (s.startsWith("last:")) {
            String n = s.substring("last:".length());
            try {
                return last(Integer.parseInt(n));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(FIELD + ": '" + text + "': N of last:N must be a whole number"
                        + " >= 0, got '" + n + "'");
            }
        }
        if (s.startsWith("after:")) {
            String layer = s.substring("after:".length()).strip();
            if (layer.isEmpty()) {
                throw new IllegalArgumentException(FIELD + ": '" + text + "': after:LAYER needs a layer name");
            }
            return new FineTuneMode(Kind.AFTER, 0, layer);
        }
        throw new IllegalArgumentException(FIELD + ": '" + text + "' is not a mode; use head, last:N (N >= 0), all"
                + " or after:LAYER");
    }

    /** Parses a comma-separated list (like {@code --k}); a mode given twice is an error naming it. */
    public static List<FineTuneMode> parseList(String text) {
        List<FineTuneMode> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            FineTuneMode mode = parse(part);
            if (!seen.add(mode.label())) {
                throw new IllegalArgumentException(FIELD + ": '" + mode.label() + "' is given twice");
            }
            out.add(mode);
        }
        return List.copyOf(out);
    }

    /** True when no backbone weight trains ({@code head}, {@code last:0}): the frozen-feature head path. */
    public boolean frozen() {
        return kind == Kind.HEAD || (kind == Kind.LAST && last == 0);
    }

    /** The value of the {@code finetune} column: {@code head}, {@code last:2}, {@code all}, {@code after:mixed9}. */
    public String label() {
        return switch (kind) {
            case HEAD -> "head";
            case LAST -> "last:" + last;
            case ALL -> "all";
            case AFTER -> "after:" + layer;
        };
    }

    /**
     * Cuts {@code tower} for this mode.
     *
     * @throws IllegalStateException for a frozen mode, which trains no block
     * @throws IllegalArgumentException naming the setting when {@code last:N} asks for more blocks than it has
     */
    public TowerCut cut(FineTunable tower) {
        if (frozen()) {
            throw new IllegalStateException(label() + " trains no block: it is the frozen-feature head");
        }
        requireFits(tower);
        return switch (kind) {
            case LAST -> tower.cut(last);
            case ALL -> tower.cut(tower.blocks().size());
            case AFTER -> tower.cutAfter(layer);
            case HEAD -> throw new AssertionError();
        };
    }

    /**
     * Checks, before any work, that {@code last:N} asks for no more blocks than {@code tower} has.
     *
     * @throws IllegalArgumentException naming the setting, the count and the blocks
     */
    public void requireFits(FineTunable tower) {
        int blocks = tower.blocks().size();
        if (kind == Kind.LAST && last > blocks) {
            throw new IllegalArgumentException(FIELD + ": " + label() + " asks for " + last + " blocks, the tower has "
                    + blocks + " (" + tower.blocks() + ")");
        }
    }

    @Override
    public String toString() {
        return label();
    }
}
