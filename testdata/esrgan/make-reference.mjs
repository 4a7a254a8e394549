// Regenerates testdata/esrgan/esrgan-reference.json: outputs of the pretrained ESRGAN-family upsamplers
// (@upscalerjs/esrgan-slim and -medium 1.0.0) computed by the packages' own model definitions on
// @tensorflow/tfjs's pure-JavaScript CPU backend (no tfjs-node, no network). Not needed by tests or CI; run by
// hand after tools/install-test-data.sh:
//
//   node testdata/esrgan/make-reference.mjs
//
// Finds the packages in $CLIPBENCH_NPM/node_modules (default ~/.cache/clipbench/npm/node_modules).
// Inputs: two deterministic RGB patterns in 0..255 (6x6 and 9x7, see pattern()), float32 NHWC [1, h, w, 3],
// scaled to the package definition's inputRange ([0, 255] for the RDN networks slim and medium, [0, 1] for the
// RRDN thick: pattern / 255); outputs are the network's raw float32 values in its outputRange (before the clamp
// and rounding UpscalerJS applies), rounded to 4 decimals (6 for [0, 1] outputs).
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const npm = process.env.CLIPBENCH_NPM ?? join(homedir(), '.cache', 'clipbench', 'npm');
const modules = join(npm, 'node_modules');
const NETWORKS = [
  { pkg: '@upscalerjs/esrgan-slim', scales: [2, 3, 4] },
  { pkg: '@upscalerjs/esrgan-medium', scales: [2, 4] },
  { pkg: '@upscalerjs/esrgan-thick', scales: [4] }, // RRDN with the custom MultiplyBeta / PixelShuffle4x layers
];
const INPUTS = [{ height: 6, width: 6 }, { height: 9, width: 7 }];

/** A deterministic pattern in 0..255: value(y, x, c) = (37 x + 91 y + 53 c + 11 x y) mod 256. */
function pattern(h, w) {
  const v = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    v[(y * w + x) * 3 + c] = (37 * x + 91 * y + 53 * c + 11 * x * y) % 256;
  }
  return v;
}

const req = createRequire(join(modules, 'nsfwjs', 'package.json'));
const tf = await import(pathToFileURL(req.resolve('@tensorflow/tfjs')).href);
await tf.setBackend('cpu');
await tf.ready();
const requireHere = createRequire(join(modules, 'package.json'));

/** The package's model (its own definition: setup() registers its custom layers) read from the files. */
async function load(pkgDir, definition) {
  if (definition.setup) definition.setup(tf);
  const file = join(pkgDir, definition._internals.path);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(file), p))));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
}

const round4 = (v) => Math.round(v * 1e4) / 1e4;
const round6 = (v) => Math.round(v * 1e6) / 1e6;
const reference = {
  description: 'Outputs of the UpscalerJS ESRGAN packages\' own model definitions (@tensorflow/tfjs '
    + tf.version.tfjs + ', backend ' + tf.getBackend() + ') on deterministic RGB patterns; see make-reference.mjs',
  tfjs_version: tf.version.tfjs,
  pattern: 'value(y, x, c) = (37 x + 91 y + 53 c + 11 x y) mod 256, float32 NHWC [1, h, w, 3]',
  inputs: INPUTS,
  networks: [],
};
for (const { pkg, scales } of NETWORKS) {
  const pkgDir = join(modules, pkg);
  if (!existsSync(join(pkgDir, 'package.json'))) throw new Error(`${pkg} not found in ${modules}: run tools/install-test-data.sh`);
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  for (const scale of scales) {
    const definition = requireHere(`${pkg}/${scale}x`);
    const model = await load(pkgDir, definition);
    const entry = {
      package: `${pkg}@${version}`, path: definition._internals.path, scale: definition.scale,
      input_range: definition.inputRange, output_range: definition.outputRange,
      architecture: definition.meta.architecture, count_params: model.countParams(), outputs: [],
    };
    for (const { height, width } of INPUTS) {
      const input = pattern(height, width).map((v) => v * definition.inputRange[1] / 255);
      const x = tf.tensor4d(input, [1, height, width, 3]);
      const y = model.predict(x);
      const values = await y.data();
      let sum = 0;
      for (const v of values) sum += v;
      entry.outputs.push({ height, width, shape: y.shape, sum, values: Array.from(values, definition.outputRange[1] === 1 ? round6 : round4) });
      x.dispose();
      y.dispose();
    }
    reference.networks.push(entry);
    model.dispose();
    console.log(`${pkg} x${scale}: ${entry.count_params} parameters`);
  }
}
writeFileSync(join(here, 'esrgan-reference.json'), JSON.stringify(reference) + '\n');
console.log('wrote', join(here, 'esrgan-reference.json'));
