#!/usr/bin/env python3
"""The report check's browser-side proofs (called by scripts/report-check.sh).

  report_check.py inject INDEX.html OUT.html
      OUT.html = the page plus a script that, once the fonts are loaded,
      measures every text box on the page (SVG <text> elements and HTML
      text, from the DOM's own bounding boxes) and writes the pairs that
      overlap into <pre id="overlap-report"> as JSON.
  report_check.py overlaps DOM_DUMP NAME
      fails when the dumped page reports overlapping text boxes.
  report_check.py point DOM_DUMP FOLDER K [FIRST_DOM_DUMP]
      the page (opened at #point=K) shows point K: every figure's inline SVG
      equals charts/point-K/<chart>.svg element by element, its PNG link is
      charts/point-K/<chart>.png (a PNG), and, given the dump of point 0,
      every chart and the swimlane's text differ from point 0's.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

MEASURE = r"""
<script>
(function () {
  function measure() {
    var boxes = [];
    var id = 0;
    function add(rect, text, node) {
      if (rect.width < 1 || rect.height < 1) { return; }
      // One pixel of slack on every side: anti-aliased edges may touch.
      boxes.push({ x0: rect.left + 1, y0: rect.top + 1, x1: rect.right - 1, y1: rect.bottom - 1, text: text, node: node });
    }
    document.querySelectorAll('svg text').forEach(function (t) {
      id += 1;
      add(t.getBoundingClientRect(), 'svg: ' + t.textContent.trim().slice(0, 50), id);
    });
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      var n = walker.currentNode;
      var el = n.parentElement;
      if (!n.textContent.trim() || !el || el.closest('svg, script, style, template, #overlap-report')) { continue; }
      id += 1;
      var range = document.createRange();
      range.selectNodeContents(n);
      var rects = range.getClientRects();
      for (var i = 0; i < rects.length; i++) { add(rects[i], n.textContent.trim().slice(0, 50), id); }
    }
    boxes.sort(function (a, b) { return a.x0 - b.x0; });
    var overlaps = [];
    for (var i = 0; i < boxes.length; i++) {
      var a = boxes[i];
      for (var j = i + 1; j < boxes.length && boxes[j].x0 < a.x1; j++) {
        var b = boxes[j];
        if (a.node !== b.node && b.y0 < a.y1 && a.y0 < b.y1) {
          overlaps.push([a.text, b.text, Math.round(a.x0), Math.round(a.y0)]);
        }
      }
    }
    var pre = document.createElement('pre');
    pre.id = 'overlap-report';
    pre.textContent = JSON.stringify({ boxes: boxes.length, overlaps: overlaps });
    document.body.appendChild(pre);
  }
  document.fonts.ready.then(measure);
})();
</script>
"""


def inject(index, out):
    with open(index, encoding="utf-8") as f:
        html = f.read()
    at = html.rindex("</body>")
    with open(out, "w", encoding="utf-8") as f:
        f.write(html[:at] + MEASURE + html[at:])


def overlap_report(dom):
    m = re.search(r'<pre id="overlap-report">(.*?)</pre>', dom, re.S)
    if not m:
        sys.exit("the page wrote no overlap report (did its fonts load?)")
    text = m.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(text)


def overlaps(dump, name):
    report = overlap_report(open(dump, encoding="utf-8").read())
    bad = report["overlaps"]
    print(f"{name}: {report['boxes']} text boxes measured in the browser, {len(bad)} overlapping pairs")
    for a, b, x, y in bad[:20]:
        print(f"  overlap at ({x}, {y}): {a!r} and {b!r}")
    if bad or report["boxes"] < 50:
        sys.exit(1)


def local(tag):
    return tag.rsplit("}", 1)[-1].lower()


def signature(svg_text):
    """Every element of an SVG in document order: tag, attributes, text."""
    svg_text = svg_text.replace("&nbsp;", "&#160;")
    root = ET.fromstring(svg_text)
    out = []
    for el in root.iter():
        attrs = tuple(sorted((local(k), v) for k, v in el.attrib.items() if not k.startswith("xmlns")))
        out.append((local(el.tag), attrs, (el.text or "").strip()))
    return out


def texts(sig):
    return [t for _, _, t in sig if t]


def figures(dom):
    """Each figure the page shows: name -> (inline SVG text, PNG link)."""
    out = {}
    for m in re.finditer(r'<figure[^>]*data-chart="([^"]+)"[^>]*>(.*?)</figure>', dom, re.S):
        name, body = m.group(1), m.group(2)
        svg = re.search(r"<svg.*</svg>", body, re.S)
        png = re.search(r'<a data-ext="png" href="([^"]+)"', body)
        if 'hidden=""' in m.group(0)[:200]:
            continue
        out[name] = (svg.group(0) if svg else "", png.group(1) if png else "")
    return out


def point(dump, folder, k, first_dump=None):
    dom = open(dump, encoding="utf-8").read()
    if f'data-point="{k}"' not in dom:
        sys.exit(f"point {k}: the page did not move to point {k}")
    shown = figures(dom)
    first = figures(open(first_dump, encoding="utf-8").read()) if first_dump else None
    if len(shown) < 5:
        sys.exit(f"point {k}: only {len(shown)} figures: {sorted(shown)}")
    for name, (svg, png) in sorted(shown.items()):
        path = os.path.join(folder, "charts", f"point-{k}", f"{name}.svg")
        if not os.path.exists(path):
            sys.exit(f"point {k}: {name} has no file {path}")
        with open(path, encoding="utf-8") as f:
            written = signature(f.read())
        if signature(svg) != written:
            sys.exit(f"point {k}: the page's {name} is not charts/point-{k}/{name}.svg")
        if png != f"charts/point-{k}/{name}.png":
            sys.exit(f"point {k}: {name} links {png!r}")
        with open(os.path.join(folder, png), "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                sys.exit(f"point {k}: {png} is not a PNG")
        if first is not None:
            other = first.get(name, ("", ""))[0]
            if other and signature(other) == written:
                sys.exit(f"point {k}: {name} is the same as point 0's")
            if name == "swimlane" and other and texts(signature(other)) == texts(written):
                sys.exit(f"point {k}: the swimlane's text is the same as point 0's")
    print(f"point {k}: {len(shown)} figures, each the point's own file ({', '.join(sorted(shown))})"
          + ("; every one differs from point 0's" if first is not None else ""))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "inject":
        inject(sys.argv[2], sys.argv[3])
    elif cmd == "overlaps":
        overlaps(sys.argv[2], sys.argv[3])
    elif cmd == "point":
        point(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else None)
    else:
        sys.exit(f"unknown command {cmd}")
