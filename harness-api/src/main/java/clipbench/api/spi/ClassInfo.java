package clipbench.api.spi;

/**
 * One class of a dataset.
 *
 * @param index       label value
 * @param originalName name as the dataset spells it (a folder name), kept in the CSVs
 * @param promptName  name put into prompt templates, e.g. {@code red apple}
 */
public record ClassInfo(int index, String originalName, String promptName) {
}
