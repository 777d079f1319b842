// Live sampling in a preset's page (tfgan_zoo/gallery.py): runs the page's
// float16 .tflite with LiteRT.js. Latents are drawn as GAN.latents draws them
// (TF's stateless normal), so a seed gives the picture that `tfgan-zoo sample
// --seed` and TF Serving's `generate` give.

// LiteRT prints its INFO lines to stderr, which Emscripten sends to
// console.error: route them by their level instead (read by wasm-utils).
self.Module = {
  printErr: (line) => (/^(INFO|VERBOSE|WARNING)\b/.test(line) ? console.info : console.error)(line),
};

const {loadLiteRt, loadAndCompile, Tensor} = await import("../vendor/@litertjs/core/dist/index.js");

// ---------------------------------------------------------------- latents
// Philox-4x32-10 (Salmon et al. 2011) as TF's random::PhiloxRandom.
const M = 0xffffffffn;

function mulhilo(a, b) {
  const p = BigInt(a) * BigInt(b);
  return [Number(p & M), Number(p >> 32n)];
}

function philox(counter, key) {
  let [c0, c1, c2, c3] = counter;
  let [k0, k1] = key;
  for (let round = 0; round < 10; round++) {
    const [lo0, hi0] = mulhilo(0xd2511f53, c0);
    const [lo1, hi1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

const bits = new DataView(new ArrayBuffer(4));

function uniform(x) {  // TF's Uint32ToFloat: 23 random mantissa bits, in [0, 1)
  bits.setUint32(0, (127 << 23) | (x & 0x7fffff));
  return bits.getFloat32(0) - 1;
}

const f32 = Math.fround;

// `count` float32 standard normals of tf.random.stateless_normal(seed=[seed, 0]):
// the seed scrambled into a key and counter (StatelessRandomGetKeyCounter),
// then one Philox block per 4 values, Box-Muller on each pair (BoxMullerFloat).
function normals(count, seed) {
  const mix = philox([seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, 0, 0],
                     [0x3ec8f720, 0x02461e29]);
  const key = [mix[0], mix[1]];
  const out = new Float32Array(count);
  for (let block = 0; block * 4 < count; block++) {
    const x = philox([block >>> 0, Math.floor(block / 2 ** 32) >>> 0, mix[2], mix[3]], key);
    for (const i of [0, 2]) {
      const u1 = Math.max(uniform(x[i]), f32(1e-7));
      const v1 = f32(2 * Math.PI * uniform(x[i + 1]));
      const radius = f32(Math.sqrt(f32(-2 * f32(Math.log(u1)))));
      for (const [j, value] of [[i, Math.sin(v1)], [i + 1, Math.cos(v1)]]) {
        if (block * 4 + j < count) out[block * 4 + j] = f32(f32(value) * radius);
      }
    }
  }
  return out;
}

// GAN.latents(num, seed, truncation): [num * latentDim] row-major.
// Any safe integer seed, negative ones too (TF takes all 64 bits of seed[0]).
export function latents(num, seed, latentDim, truncation = 1) {
  return normals(num * latentDim, seed).map((v) => f32(v * f32(truncation)));
}

// GAN's slerp of two latent rows at t (linear when they are parallel).
function slerp(a, b, t) {
  const norm = (v) => Math.hypot(...v);
  let cos = a.reduce((s, v, i) => s + (v / norm(a)) * (b[i] / norm(b)), 0);
  cos = Math.min(1, Math.max(-1, cos));
  const omega = Math.acos(cos);
  const sin = Math.sin(omega);
  return a.map((v, i) => (sin > 1e-6
    ? (Math.sin((1 - t) * omega) * v + Math.sin(t * omega) * b[i]) / sin
    : (1 - t) * v + t * b[i]));
}

// -------------------------------------------------------------- drawing
function toByte(x) {  // images.to_uint8: round half to even, clip
  const v = (x + 1) * 127.5;
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2) r -= 1;
  return Math.min(255, Math.max(0, r));
}

// Images [n, h, w, c] in [-1, 1] as images.grid lays them out (1-pixel black gaps).
function drawGrid(canvas, pictures, [h, w, c], columns) {
  const rows = Math.ceil(pictures.length / columns);
  canvas.width = columns * (w + 1) - 1;
  canvas.height = rows * (h + 1) - 1;
  const context = canvas.getContext("2d");
  const data = context.createImageData(canvas.width, canvas.height);
  data.data.fill(0);
  for (let i = 3; i < data.data.length; i += 4) data.data[i] = 255;
  pictures.forEach((picture, n) => {
    const top = Math.floor(n / columns) * (h + 1);
    const left = (n % columns) * (w + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const at = ((top + y) * canvas.width + left + x) * 4;
        for (let k = 0; k < 3; k++) data.data[at + k] = toByte(picture[(y * w + x) * c + (c === 1 ? 0 : k)]);
      }
    }
  });
  context.putImageData(data, 0, 0);
}

// ------------------------------------------------------------------ page
const config = JSON.parse(document.getElementById("config").textContent);
const status = document.getElementById("status");
const gallery = {config, latents, drawn: 0, walked: 0, firstSampleMs: null, error: null};
window.gallery = gallery;

async function run(model, inputs) {
  const tensors = Object.fromEntries(Object.entries(inputs).map(
    ([name, [values, shape]]) => [name, new Tensor(values, shape)]));
  try {
    const outputs = await model.run(tensors);
    const picture = outputs.images.toTypedArray().slice();
    outputs.images.delete();
    return picture;
  } finally {
    Object.values(tensors).forEach((t) => t.delete());
  }
}

function oneHot(classes, weightsOf) {
  return Float32Array.from({length: classes}, (_, k) => weightsOf(k));
}

async function generate(model, z, weights) {
  const dim = config.latent_dim;
  const inputs = {z: [z, [1, dim]]};
  if (config.num_classes) inputs.class_weights = [weights, [1, config.num_classes]];
  return run(model, inputs);
}

// A class's name (or number), and which class each tile of the grid shows.
function className(k) {
  return config.class_names ? config.class_names[k] : `class ${k}`;
}
function tileCaption(labels) {
  if (labels.every((k) => k === labels[0])) return `Every tile: ${className(labels[0])}.`;
  const rows = [];
  for (let r = 0; r < labels.length; r += config.columns) {
    rows.push(`row ${r / config.columns + 1}: ` +
              labels.slice(r, r + config.columns).map(className).join(", "));
  }
  return `Tiles, left to right: ${rows.join("; ")}.`;
}

async function galleryPage(model) {
  const seed = document.getElementById("seed");
  const truncation = document.getElementById("truncation");
  const psi = document.getElementById("psi");
  const classes = document.getElementById("class");
  const canvas = document.getElementById("samples");
  const dim = config.latent_dim;

  // The seed as the CLI takes it: any integer, negative too (exact up to 2^53).
  function seedValue() {
    const text = seed.value.trim();
    const value = Number(text);
    if (!/^-?[0-9]+$/.test(text) || !Number.isSafeInteger(value)) {
      seed.setAttribute("aria-invalid", "true");
      throw new RangeError(`The seed must be a whole number from -${Number.MAX_SAFE_INTEGER} ` +
                           `to ${Number.MAX_SAFE_INTEGER}, as tfgan-zoo sample --seed takes; ` +
                           `got "${text}".`);
    }
    seed.removeAttribute("aria-invalid");
    return value;
  }

  async function draw() {
    let s;
    try {
      s = seedValue();
    } catch (error) {
      status.textContent = error.message;
      return;
    }
    const t = Number(truncation.value);
    psi.value = t.toFixed(2);
    status.textContent = `Drawing ${config.grid} samples for seed ${s}…`;
    const started = performance.now();
    const z = latents(config.grid, s, dim, t);
    const pictures = [];
    const labels = [];
    for (let n = 0; n < config.grid; n++) {
      const label = !classes || classes.value === "all" ? n % (config.num_classes || 1)
        : Number(classes.value);
      labels.push(label);
      pictures.push(await generate(model, z.slice(n * dim, (n + 1) * dim),
                                   oneHot(config.num_classes || 0, (k) => (k === label ? 1 : 0))));
    }
    drawGrid(canvas, pictures, config.shape, config.columns);
    const tiles = document.getElementById("tiles");
    if (tiles) tiles.textContent = tileCaption(labels);
    fitPixels(canvas);
    const ms = performance.now() - started;
    if (gallery.firstSampleMs === null) gallery.firstSampleMs = performance.now();
    gallery.drawn += 1;
    canvas.dataset.seed = s;
    canvas.dataset.truncation = t;
    canvas.dataset.label = classes ? classes.value : "";
    status.textContent = `${config.grid} samples for seed ${s} in ${Math.round(ms)} ms.`;
  }

  let queue = Promise.resolve();
  const redraw = () => { queue = queue.then(draw).catch(fail); return queue; };
  gallery.redraw = redraw;
  document.getElementById("new").addEventListener("click", () => {
    let s = 0;
    try { s = seedValue() + 1; } catch (error) { /* a bad seed: start again from 0 */ }
    seed.value = String(s);
    redraw();
  });
  seed.addEventListener("change", redraw);
  truncation.addEventListener("input", () => { psi.value = Number(truncation.value).toFixed(2); });
  truncation.addEventListener("change", redraw);
  if (classes) classes.addEventListener("change", redraw);

  // The latent walk: from the seed above to the next seeds, 12 frames each; in
  // the class chosen above, or (all classes) from class to class with the seeds.
  const walker = document.getElementById("walker");
  const button = document.getElementById("walk");
  let walking = false;
  let frame = 0;
  async function walkFrame() {
    let start = 0;
    try { start = seedValue(); } catch (error) { /* the grid says what is wrong */ }
    const s = start + Math.floor(frame / 12);
    const t = (frame % 12) / 12;
    const psiValue = Number(truncation.value);
    const a = Array.from(latents(1, s, dim, psiValue));
    const b = Array.from(latents(1, s + 1, dim, psiValue));
    const k = config.num_classes || 1;
    const fixed = classes && classes.value !== "all" ? Number(classes.value) : null;
    const from = ((s % k) + k) % k;
    const weights = oneHot(config.num_classes || 0, (c) => (fixed !== null ? Number(c === fixed)
      : (c === from ? 1 - t : 0) + (c === (from + 1) % k ? t : 0)));
    const picture = await generate(model, Float32Array.from(slerp(a, b, t)), weights);
    drawGrid(walker, [picture], config.shape, 1);
    fitPixels(walker);
    gallery.walked += 1;
  }
  async function step() {
    if (!walking) return;
    await walkFrame();
    frame += 1;
    setTimeout(() => { queue = queue.then(step).catch(fail); }, 80);
  }
  // a new seed or class restarts the walk there
  const restartWalk = () => { frame = 0; if (!walking) queue = queue.then(walkFrame).catch(fail); };
  seed.addEventListener("change", restartWalk);
  if (classes) classes.addEventListener("change", restartWalk);
  button.addEventListener("click", () => {
    walking = !walking;
    button.setAttribute("aria-pressed", String(walking));
    button.textContent = walking ? "Pause the latent walk" : "Play a latent walk";
    if (walking) queue = queue.then(step).catch(fail);
  });
  await redraw();
  await (queue = queue.then(walkFrame));  // the walk's first frame: no empty box
}

async function translatorPage(model) {
  const [h, w, c] = config.input_shape;
  // A -> B is `model`; a reversible translator's B -> A is loaded when first chosen.
  const models = [model, null];
  const direction = document.getElementById("direction");
  const way = () => (direction ? Number(direction.value) : 0);
  const input = document.getElementById("input");
  const output = document.getElementById("output");
  input.width = w;
  input.height = h;
  const context = input.getContext("2d", {willReadFrequently: true});
  const clear = () => { context.fillStyle = "#000"; context.fillRect(0, 0, w, h); };
  clear();

  // Drawing: white strokes on black, in the canvas's own pixels.
  let last = null;
  const point = (event) => {
    const box = input.getBoundingClientRect();
    return [(event.clientX - box.left) * w / box.width, (event.clientY - box.top) * h / box.height];
  };
  input.addEventListener("pointerdown", (event) => { last = point(event); input.setPointerCapture(event.pointerId); });
  input.addEventListener("pointermove", (event) => {
    if (!last) return;
    const next = point(event);
    context.strokeStyle = "#fff";
    context.lineWidth = Math.max(1, w / 16);
    context.lineCap = "round";
    context.beginPath();
    context.moveTo(...last);
    context.lineTo(...next);
    context.stroke();
    last = next;
  });
  input.addEventListener("pointerup", () => { last = null; translate(); });

  async function translate() {
    const pixels = context.getImageData(0, 0, w, h).data;
    const x = new Float32Array(h * w * c);
    for (let i = 0; i < h * w; i++) {
      for (let k = 0; k < c; k++) {
        // grey inputs: the mean of red, green and blue
        const v = c === 1 ? (pixels[i * 4] + pixels[i * 4 + 1] + pixels[i * 4 + 2]) / 3 : pixels[i * 4 + k];
        x[i * c + k] = v / 127.5 - 1;
      }
    }
    status.textContent = "Translating…";
    const started = performance.now();
    const d = way();
    if (!models[d]) {
      status.textContent = "Loading the B → A model…";
      models[d] = await loadAndCompile(config.reverse_tflite, {accelerator: "wasm"});
    }
    const picture = await run(models[d], {images: [x, [1, h, w, c]]});
    drawGrid(output, [picture], config.shape, 1);
    fitPixels(output);
    if (gallery.firstSampleMs === null) gallery.firstSampleMs = performance.now();
    gallery.drawn += 1;
    status.textContent = `Translated in ${Math.round(performance.now() - started)} ms.`;
  }
  // The test inputs of the card's before/after grid, one after another: its
  // A row, and for B -> A its B row (examples.png's second row).
  const examples = new Image();
  examples.src = "examples.png";
  await examples.decode();
  let example = 0;
  function showExample() {
    context.drawImage(examples, example * (w + 1), way() * (h + 1), w, h, 0, 0, w, h);
    example = (example + 1) % config.examples;
  }
  if (direction) {
    direction.addEventListener("change", () => { example = 0; showExample(); gallery.translate(); });
  }
  gallery.translate = () => translate().catch(fail);
  document.getElementById("example").addEventListener("click", () => { showExample(); gallery.translate(); });
  document.getElementById("translate").addEventListener("click", gallery.translate);
  document.getElementById("clear").addEventListener("click", () => { clear(); gallery.translate(); });
  document.getElementById("upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const bitmap = await createImageBitmap(file);
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, w, h);
    await gallery.translate();
  });
  showExample();
  await translate();
}

// Pixel art is shown at a whole multiple of its size (an uneven factor makes
// uneven pixels and gaps), as large as its box allows; shrunk smoothly when
// even 1x does not fit.
function fitPixels(element) {
  const natural = element.naturalWidth || element.width;
  if (!natural) return;
  const room = element.parentElement.clientWidth;
  const limit = parseFloat(getComputedStyle(element).maxWidth) || room;
  const factor = Math.floor(Math.min(room, limit) / natural);
  element.style.width = `${factor >= 1 ? natural * factor : room}px`;
  element.style.imageRendering = factor >= 1 ? "pixelated" : "auto";
}
function fitAll() {
  document.querySelectorAll(".pixels").forEach(fitPixels);
}
document.querySelectorAll("img.pixels").forEach((img) => {
  if (img.complete) fitPixels(img); else img.addEventListener("load", () => fitPixels(img));
});
window.addEventListener("resize", fitAll);

function fail(error) {
  gallery.error = String(error);
  status.textContent = `Could not run the model: ${error}`;
  console.error(error);
}

try {
  gallery.started = performance.now();
  await loadLiteRt(new URL("../vendor/@litertjs/core/wasm/", import.meta.url).href);
  const model = await loadAndCompile(config.tflite, {accelerator: "wasm"});
  await (config.kind === "gan" ? galleryPage(model) : translatorPage(model));
  document.body.dataset.state = "ready";
} catch (error) {
  fail(error);
  document.body.dataset.state = "failed";
}
