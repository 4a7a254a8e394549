package clipbench.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One direct buffer per thread that every call refills with its input. DJL copies a heap buffer (or array) into a
 * new direct buffer per tensor, which only a garbage collection frees; with a small live heap that is rare, so
 * the process's memory grew with the calls (bench: 2.3 GiB peak RSS on the tiny ViT where the heap held 30 MiB).
 *
 * <p>On the CPU, DJL's {@code PtNDManager.create} makes the tensor with {@code torch::from_blob} on a direct
 * buffer's address: the tensor reads this memory, no copy. The tensor (and every view of it) must therefore be
 * closed before the same thread's next call; each call's memory scope is closed before it returns.
 */
final class DirectInput {
    private static final ThreadLocal<DirectInput> PER_THREAD = ThreadLocal.withInitial(DirectInput::new);

    private ByteBuffer buffer = ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());

    /** This thread's buffer. */
    static DirectInput current() {
        return PER_THREAD.get();
    }

    /** {@code data} at the start of the reused buffer (from_blob reads from its address, not its position). */
    ByteBuffer of(float[] data) {
        ByteBuffer b = sized(Math.multiplyExact(data.length, Float.BYTES));
        b.asFloatBuffer().put(data);
        return b;
    }

    /** {@code data} at the start of the reused buffer. */
    ByteBuffer of(long[] data) {
        ByteBuffer b = sized(Math.multiplyExact(data.length, Long.BYTES));
        b.asLongBuffer().put(data);
        return b;
    }

    /**
     * NCHW {@code data} of {@code count} images stored channels-last (NHWC) at the start of the reused buffer: the
     * tensor of shape {@code [n, h, w, c]} made from it, transposed to {@code [n, c, h, w]}, is NCHW with
     * channels-last strides, which libtorch's convolutions and pools keep along the net.
     */
    ByteBuffer ofChannelsLast(float[] data, int count, int channels, int height, int width) {
        ByteBuffer b = sized(Math.multiplyExact(data.length, Float.BYTES));
        FloatBuffer f = b.asFloatBuffer();
        int plane = height * width;
        for (int n = 0; n < count; n++) {
            int image = n * channels * plane;
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < channels; c++) {
                    f.put(data[image + c * plane + p]);
                }
            }
        }
        return b;
    }

    /**
     * {@code count} NCHW images as a tensor of {@code scope} on this thread's buffer: as they are on a GPU; on the
     * CPU stored channels-last ({@link #ofChannelsLast}) and transposed back to NCHW, so oneDNN convolutions and
     * pools skip reordering their input and output.
     */
    NDArray images(NDManager scope, float[] nchw, int count, int channels, int height, int width) {
        if (scope.getDevice().isGpu()) {
            return scope.create(of(nchw), new Shape(count, channels, height, width), DataType.FLOAT32);
        }
        NDArray stored = scope.create(ofChannelsLast(nchw, count, channels, height, width),
                new Shape(count, height, width, channels), DataType.FLOAT32);
        return stored.transpose(0, 3, 1, 2);
    }

    private ByteBuffer sized(int bytes) {
        if (buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        buffer.clear().limit(bytes);
        return buffer;
    }
}
