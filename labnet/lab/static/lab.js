// The entry of the lab's front end, loaded by anywidget (LabWidget._esm). The lab's modules
// come as text in the widget's `sources` trait, each after those it imports; they are loaded
// here as ES modules, each import of "./name.js" pointing at the module already loaded. No
// bundler, nothing from a network: the files in labnet/lab/static are what runs.

const loaded = new Map();  // the sources' text → their modules, once per page

/**
 * Load the modules `sources` ([[name, text], ...], each after its imports).
 * @returns {Promise<Object<string, Object>>} the modules by file name
 */
async function load(sources) {
  const cacheKey = sources.map(([name, text]) => `${name}:${text.length}:${hash(text)}`).join();
  if (!loaded.has(cacheKey)) loaded.set(cacheKey, link(sources));
  return loaded.get(cacheKey);
}

async function link(sources) {
  const urls = {};
  const modules = {};
  for (const [name, text] of sources) {
    const linked = text.replace(/(from\s+["'])\.\/([\w-]+\.js)(["'])/g,
      (whole, before, file, after) => {
        if (!urls[file]) throw new Error(`labnet: ${name} imports ${file}, not loaded before it`);
        return before + urls[file] + after;
      });
    urls[name] = URL.createObjectURL(new Blob([linked], {type: "text/javascript"}));
    modules[name] = await import(/* webpackIgnore: true */ urls[name]);
  }
  return modules;
}

function hash(text) {
  let value = 0;
  for (let i = 0; i < text.length; i += 1) value = (value * 31 + text.charCodeAt(i)) | 0;
  return value;
}

export default {
  async render({model, el}) {
    try {
      const modules = await load(model.get("sources"));
      return modules["app.js"].render({model, el});
    } catch (error) {
      el.textContent = `The lab's front end failed to load: ${error}`;
      el.style.color = "#c0392b";
      throw error;
    }
  },
};
