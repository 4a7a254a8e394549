package clipbench.protocol;

/**
 * One class of a run's dataset with its image counts (the run's classes.csv).
 *
 * @param className    name as the dataset spells it (the CSVs' class)
 * @param promptName   the cleaned name put into the prompt templates: it decides zero-shot
 * @param nTrain       images of the training split, or -1 when the dataset has none
 * @param nTest        images of the test split
 * @param skippedTrain unreadable training images among those the run read, or -1 when it read none
 * @param skippedTest  unreadable test images, or -1 when the run has not read the test split yet
 */
public record ClassCount(String className, String promptName, int nTrain, int nTest, int skippedTrain,
                         int skippedTest) {
}
