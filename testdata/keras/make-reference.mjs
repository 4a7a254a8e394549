// Regenerates testdata/keras/: the test images and nsfwjs-reference.json (outputs of nsfwjs's own JavaScript).
// Not needed by tests or CI; run by hand after tools/install-test-data.sh:
//
//   node testdata/keras/make-reference.mjs
//
// Finds nsfwjs (4.4.0) and emoji-datasource-google in $CLIPBENCH_NPM/node_modules (default
// ~/.cache/clipbench/npm/node_modules); CLIPBENCH_NSFWJS_DIR / CLIPBENCH_EMOJI_DIR override one package each.
// Uses @tensorflow/tfjs (installed with nsfwjs) on its pure-JavaScript CPU backend: no tfjs-node, no network.
//
// Images: three Google (Noto) emoji, 64x64 RGBA, composited on white, enlarged with bilinear interpolation
// (half-pixel centres, edge clamp, rounded to 8 bits) to exactly each model's input size, written as 8-bit RGB
// PNGs (emoji-<code>-<size>.png). The models get the PNG's pixels / 255 as float32 NHWC: nsfwjs's own
// infer() with the image at the model's size, so nsfwjs resizes nothing.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const npm = process.env.CLIPBENCH_NPM ?? join(homedir(), '.cache', 'clipbench', 'npm');
const nsfwDir = process.env.CLIPBENCH_NSFWJS_DIR ?? join(npm, 'node_modules', 'nsfwjs');
const emojiDir = process.env.CLIPBENCH_EMOJI_DIR ?? join(npm, 'node_modules', 'emoji-datasource-google');
for (const [what, dir] of [['nsfwjs', nsfwDir], ['emoji-datasource-google', emojiDir]]) {
  if (!existsSync(join(dir, 'package.json'))) {
    throw new Error(`${what} not found at ${dir}: run tools/install-test-data.sh`);
  }
}

const EMOJI = [
  { code: '1f34e', name: 'red apple' },
  { code: '1f436', name: 'dog face' },
  { code: '1f47e', name: 'alien monster' },
];
const MODELS = [
  { nsfwjsName: 'MobileNetV2', dir: 'mobilenet_v2', size: 224 },
  { nsfwjsName: 'InceptionV3', dir: 'inception_v3', size: 299 },
];

// ---------- PNG (8-bit, non-interlaced) ----------
const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function paeth(a, b, c) {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
function decodePng(buf, file) {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error(`${file}: not a PNG`);
  let pos = 8, width, height, depth, colorType, interlace;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      depth = data[8]; colorType = data[9]; interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType];
  if (depth !== 8 || !channels || interlace !== 0) {
    throw new Error(`${file}: only 8-bit non-interlaced grey/RGB/RGBA PNGs are handled here`);
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels, out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f];
      if (pred === undefined) throw new Error(`${file}: bad filter ${f}`);
      out[y * stride + x] = (row[x] + pred) & 0xff;
    }
  }
  // to RGBA
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const p = out.subarray(i * channels, (i + 1) * channels);
    const [r, g, b, al] = channels === 1 ? [p[0], p[0], p[0], 255] : channels === 2 ? [p[0], p[0], p[0], p[1]]
      : channels === 3 ? [p[0], p[1], p[2], 255] : [p[0], p[1], p[2], p[3]];
    rgba.set([r, g, b, al], i * 4);
  }
  return { width, height, rgba };
}
function encodeRgbPng(width, height, rgb) {
  const stride = width * 3, raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    // pick the filter with the smallest sum of absolute residuals (the usual heuristic)
    let best = null;
    for (let f = 0; f <= 4; f++) {
      const row = Buffer.alloc(stride);
      let cost = 0;
      for (let x = 0; x < stride; x++) {
        const a = x >= 3 ? rgb[y * stride + x - 3] : 0, b = y > 0 ? rgb[(y - 1) * stride + x] : 0;
        const c = x >= 3 && y > 0 ? rgb[(y - 1) * stride + x - 3] : 0;
        const v = (rgb[y * stride + x] - [0, a, b, (a + b) >> 1, paeth(a, b, c)][f]) & 0xff;
        row[x] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (!best || cost < best.cost) best = { f, row, cost };
    }
    raw[y * (stride + 1)] = best.f;
    best.row.copy(raw, y * (stride + 1) + 1);
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
/** RGBA on white, then bilinear (half-pixel centres, clamped) to size x size, RGB uint8. */
function makeImage({ width, height, rgba }, size) {
  const white = new Float64Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const a = rgba[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) white[i * 3 + c] = rgba[i * 4 + c] * a + 255 * (1 - a);
  }
  const out = new Uint8Array(size * size * 3);
  const coord = (d, n) => {
    const s = Math.min(Math.max((d + 0.5) * n / size - 0.5, 0), n - 1);
    const i0 = Math.floor(s), i1 = Math.min(i0 + 1, n - 1);
    return [i0, i1, s - i0];
  };
  for (let y = 0; y < size; y++) {
    const [y0, y1, fy] = coord(y, height);
    for (let x = 0; x < size; x++) {
      const [x0, x1, fx] = coord(x, width);
      for (let c = 0; c < 3; c++) {
        const p = (yy, xx) => white[(yy * width + xx) * 3 + c];
        const v = (p(y0, x0) * (1 - fx) + p(y0, x1) * fx) * (1 - fy) + (p(y1, x0) * (1 - fx) + p(y1, x1) * fx) * fy;
        out[(y * size + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return out;
}

// ---------- tfjs + nsfwjs (the same module instances nsfwjs itself uses) ----------
const req = createRequire(join(nsfwDir, 'package.json'));
const tf = await import(pathToFileURL(req.resolve('@tensorflow/tfjs')).href);
const nsfwjs = await import(pathToFileURL(join(nsfwDir, 'dist', 'esm', 'index.js')).href);
const nsfwVersion = JSON.parse(readFileSync(join(nsfwDir, 'package.json'), 'utf8')).version;
await tf.setBackend('cpu');
await tf.ready();

const stats = (values) => {
  let sum = 0, sq = 0;
  for (const v of values) { sum += v; sq += v * v; }
  return { first16: Array.from(values.slice(0, 16)), l2: Math.sqrt(sq), sum };
};
/** Default feature layer, as clipbench's KerasModel.defaultFeatureLayer(). */
function defaultFeatureLayer(model) {
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const l = model.layers[i], cls = l.getClassName();
    if (cls === 'GlobalAveragePooling2D') return l.name;
    if (cls === 'Flatten' && l.inboundNodes[0].inboundLayers.length === 1
        && l.inboundNodes[0].inboundLayers[0].getClassName() === 'AveragePooling2D') return l.name;
  }
  throw new Error('no feature layer');
}

const reference = {
  description: 'Outputs of nsfwjs ' + nsfwVersion + ' (its own JavaScript, @tensorflow/tfjs ' + tf.version.tfjs
    + ' CPU backend) on the PNGs in this folder; written by make-reference.mjs',
  nsfwjs_version: nsfwVersion,
  tfjs_version: tf.version.tfjs,
  tfjs_backend: tf.getBackend(),
  input: 'PNG pixels / 255 as float32, NHWC [1, size, size, 3], RGB; image size = model input size (no resizing)',
  class_names: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'],
  images: [],
  models: [],
};
mkdirSync(here, { recursive: true });
const pixels = {};
for (const e of EMOJI) {
  const src = join(emojiDir, 'img', 'google', '64', e.code + '.png');
  const decoded = decodePng(readFileSync(src), src);
  for (const size of [...new Set(MODELS.map((m) => m.size))]) {
    const file = `emoji-${e.code}-${size}.png`;
    const png = encodeRgbPng(size, size, makeImage(decoded, size));
    writeFileSync(join(here, file), png);
    // read back what was written: the reference uses exactly the PNG's pixels
    const back = decodePng(readFileSync(join(here, file)), file);
    const rgb = new Int32Array(size * size * 3);
    for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = back.rgba[i * 4 + c];
    pixels[file] = rgb;
    reference.images.push({ file, emoji: e.code, name: e.name, size,
      sha256: createHash('sha256').update(png).digest('hex') });
  }
}

for (const spec of MODELS) {
  const t0 = Date.now();
  const nsfw = await nsfwjs.load(spec.nsfwjsName, { size: spec.size });
  const model = nsfw.model;
  const featureLayer = defaultFeatureLayer(model);
  const layerCounts = {};
  for (const l of model.layers) layerCounts[l.getClassName()] = (layerCounts[l.getClassName()] ?? 0) + 1;
  const featureShape = model.getLayer(featureLayer).outputShape.slice(1);
  // a few intermediate layers (first image), for debugging a backend layer by layer
  const probeNames = model.layers.filter((l) => ['ReLU', 'Activation', 'Add', 'Concatenate', 'MaxPooling2D',
    'AveragePooling2D'].includes(l.getClassName())).map((l) => l.name);
  const probes = [probeNames[0], probeNames[Math.floor(probeNames.length / 2)], probeNames[probeNames.length - 1]];
  // dequantised weights as tfjs holds them (exact float32 values)
  const weightSamples = [];
  for (const w of [model.weights[0], model.weights[1], model.weights[model.weights.length - 1]]) {
    const v = w.read().dataSync();
    weightSamples.push({ name: w.originalName ?? w.name, shape: w.shape, first8: Array.from(v.slice(0, 8)),
      sum: v.reduce((a, b) => a + b, 0) });
  }
  const entry = {
    name: spec.nsfwjsName,
    dir: 'dist/models/' + spec.dir,
    input_size: spec.size,
    layers: model.layers.length,
    layer_counts: Object.fromEntries(Object.entries(layerCounts).sort()),
    params: model.countParams(),
    weights: model.weights.length,
    output_layer: model.outputLayers[0].name,
    feature_layer: featureLayer,
    feature_shape: featureShape,
    feature_length: featureShape.reduce((a, b) => a * b, 1),
    weight_samples: weightSamples,
    results: [],
    probes: [],
  };
  for (const img of reference.images.filter((i) => i.size === spec.size)) {
    const x = tf.tensor3d(pixels[img.file], [spec.size, spec.size, 3], 'int32');
    const probs = nsfw.infer(x); // nsfwjs's own pipeline: toFloat, /255, (no resize), predict
    const feature = nsfw.infer(x, featureLayer); // nsfwjs's endpoint: tf.model up to that layer
    const classified = await nsfw.classify(x, 5);
    entry.results.push({
      image: img.file,
      probabilities: Array.from(probs.dataSync()),
      classify: classified.map((c) => ({ className: c.className, probability: c.probability })),
      feature: stats(feature.dataSync()),
    });
    if (entry.probes.length === 0) {
      const multi = tf.model({ inputs: model.inputs, outputs: probes.map((n) => model.getLayer(n).output) });
      const batched = x.toFloat().div(255).reshape([1, spec.size, spec.size, 3]);
      const outs = multi.predict(batched);
      probes.forEach((n, i) => {
        const v = outs[i].dataSync();
        entry.probes.push({ image: img.file, layer: n, class_name: model.getLayer(n).getClassName(),
          shape: outs[i].shape.slice(1), first8: Array.from(v.slice(0, 8)), ...(({ l2, sum }) => ({ l2, sum }))(stats(v)) });
      });
      tf.dispose([...outs, batched]);
    }
    tf.dispose([x, probs, feature]);
  }
  reference.models.push(entry);
  console.log(`${spec.nsfwjsName}: ${entry.params} params, feature ${featureLayer} ${entry.feature_length}, `
    + `${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
writeFileSync(join(here, 'nsfwjs-reference.json'), JSON.stringify(reference, null, 1) + '\n');
console.log('wrote ' + join(here, 'nsfwjs-reference.json'));
