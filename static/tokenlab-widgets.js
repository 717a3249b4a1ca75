// Loaded on pages with widgets, after require.js and before the widget manager.
// It points require.js at the copies of the widget libraries that the site serves itself
// (fetched at build time by tools/fetch_static.py), so no page loads code from a CDN.
(function () {
  "use strict";
  var script = document.currentScript;
  var here = script ? script.src : "";
  var vendor = here.slice(0, here.lastIndexOf("/") + 1) + "vendor/";
  // Widgets that load data files served with the site (the tokenizer comparison's tiktoken
  // rank files, vendor/tiktoken/) find them here.
  window.TOKENLAB_VENDOR = vendor;
  // The widget manager reads this attribute from every script tag when it loads: its fallback
  // for a module require.js cannot find is then this site's vendor folder, never a CDN.
  if (script) script.setAttribute("data-jupyter-widgets-cdn", vendor + "npm/");
  // Where the widget manager's bundled fonts and styles live (its webpack public path).
  window.__jupyter_widgets_assets_path__ = vendor + "html-manager/";
  if (window.requirejs) {
    // The manager's bundles are named AMD modules that resolve their fonts against their own
    // module URL; pointing each name into vendor/html-manager/ makes those URLs local.
    var manager = vendor + "html-manager/";
    var paths = { anywidget: vendor + "anywidget/index" };
    [
      "@jupyter-widgets/base",
      "@jupyter-widgets/base7",
      "@jupyter-widgets/controls",
      "@jupyter-widgets/controls7",
      "@jupyter-widgets/html-manager",
    ].forEach(function (name) {
      paths[name] = manager + name.split("/")[1];
    });
    paths["@jupyter-widgets/html-manager/dist"] = manager.slice(0, -1);
    window.requirejs.config({ paths: paths });
  } else {
    console.error("tokenlab-widgets.js: require.js did not load before this script");
  }
})();
