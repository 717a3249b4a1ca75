// Loaded on pages with widgets, after require.js and before the widget manager.
// It points require.js at the copies of the widget libraries that the site serves itself
// (fetched at build time by tools/fetch_static.py), so no page loads code from a CDN.
(function () {
  "use strict";
  var script = document.currentScript;
  var here = script ? script.src : "";
  var vendor = here.slice(0, here.lastIndexOf("/") + 1) + "vendor/";
  // The widget manager reads this attribute from every script tag when it loads: its fallback
  // for a module require.js cannot find is then this site's vendor folder, never a CDN.
  if (script) script.setAttribute("data-jupyter-widgets-cdn", vendor + "npm/");
  // Where the widget manager's bundled fonts and styles live (its webpack public path).
  window.__jupyter_widgets_assets_path__ = vendor + "html-manager/";
  if (window.requirejs) {
    window.requirejs.config({
      paths: {
        anywidget: vendor + "anywidget/index",
        // The manager resolves its bundled fonts against its own module URL.
        "@jupyter-widgets/html-manager/dist": vendor + "html-manager",
      },
    });
  } else {
    console.error("tokenlab-widgets.js: require.js did not load before this script");
  }
})();
