package clipbench.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * What one k-shot draw really gave the heads once unreadable images were left out, so a row labelled k=50 that
 * used 4 says so.
 *
 * @param kEffective   the smallest number of shots any class had (0 for zero-shot)
 * @param trainSkipped drawn training images (shots or validation) that could not be read
 * @param note         why the row is not what its k says (fewer shots, unreadable images, no validation), or ""
 * @param refusal      why the row is not run (a class without a single usable shot), or null
 */
record ShotUse(int kEffective, int trainSkipped, String note, String refusal) {
    static final ShotUse NONE = new ShotUse(0, 0, "", null);
    /** At most this many classes are named in a note. */
    private static final int NAMED = 5;

    /**
     * @param shots              the draw
     * @param fitLabels          labels of its readable shots
     * @param valLabels          labels of its readable validation images
     * @param classNames         class names by label
     * @param validationPerClass validation images per class asked for
     */
    static ShotUse of(Shots shots, int[] fitLabels, int[] valLabels, List<String> classNames, int validationPerClass) {
        int[] perClass = new int[classNames.size()];
        for (int y : fitLabels) {
            perClass[y]++;
        }
        int skipped = shots.train().size() + shots.validation().size() - fitLabels.length - valLabels.length;
        List<String> none = new ArrayList<>();
        List<String> fewer = new ArrayList<>();
        int min = Integer.MAX_VALUE;
        for (int c = 0; c < perClass.length; c++) {
            min = Math.min(min, perClass[c]);
            if (perClass[c] == 0) {
                none.add(classNames.get(c));
            } else if (shots.k() != Shots.ALL && perClass[c] < shots.k()) {
                fewer.add(classNames.get(c) + " " + perClass[c]);
            }
        }
        String k = "k=" + Shots.label(shots.k());
        List<String> notes = new ArrayList<>();
        if (!fewer.isEmpty()) {
            notes.add(k + " used fewer shots for " + fewer.size() + " classes (" + named(fewer) + ")");
        }
        if (skipped > 0) {
            notes.add(skipped + " drawn training images unreadable");
        }
        if (validationPerClass > 0 && valLabels.length == 0) {
            notes.add("no validation rows (no training images left beside the shots)");
        } else if (shots.k() != Shots.ALL && valLabels.length < validationPerClass * perClass.length) {
            notes.add(valLabels.length + " of " + validationPerClass * perClass.length + " validation rows");
        }
        String refusal = none.isEmpty() ? null : "not run: " + k + " has no readable training image of "
                + none.size() + " classes (" + named(none) + "); a head would never predict them";
        return new ShotUse(perClass.length == 0 ? 0 : min, skipped, String.join("; ", notes), refusal);
    }

    private static String named(List<String> items) {
        return items.size() <= NAMED ? String.join(", ", items)
                : String.join(", ", items.subList(0, NAMED)) + ", ... " + (items.size() - NAMED) + " more";
    }
}
