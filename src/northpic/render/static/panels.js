/* northpic panels that collapse: the layer control, the legend, the time control (and any
 * panel made collapsible with northpic.collapsible). Each gets a button in its head that
 * folds it to its title and opens it again; aria-expanded says which. On a narrow window
 * the layer control starts folded. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
  var NARROW_PX = 800;

  NP.collapsible = function (box, title) {
    if (!box || box.querySelector(':scope > .np-panel-head')) { return box; }
    var head = document.createElement('div');
    head.className = 'np-panel-head';
    var first = box.firstElementChild;
    if (first && /np-(control-)?title/.test(first.className)) { head.appendChild(first); }
    else {
      var name = document.createElement('span'); name.className = 'np-control-title';
      name.textContent = title || ''; head.appendChild(name);
    }
    var button = document.createElement('button');
    button.type = 'button'; button.className = 'np-collapse';
    head.appendChild(button);
    box.insertBefore(head, box.firstChild);
    function set(open) {
      box.classList.toggle('np-collapsed', !open);
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      button.textContent = open ? '\u2212' : '+';
      var label = (open ? 'Fold ' : 'Open ') + (head.textContent.replace(/[\u2212+]$/, '') || 'panel');
      button.title = label; button.setAttribute('aria-label', label);
    }
    button.addEventListener('click', function (e) {
      e.stopPropagation(); set(box.classList.contains('np-collapsed'));
    });
    box.npSetOpen = set;
    set(true);
    return box;
  };

  NP.addPanels = function (map) {
    var root = map.getContainer();
    [['.np-layers', 'Layers'], ['.np-legend', 'Legend'], ['.np-time', 'Time']].forEach(function (p) {
      var box = root.querySelector(p[0]);
      if (box) { NP.collapsible(box, p[1]); }
    });
    var layers = root.querySelector('.np-layers');
    if (layers && window.innerWidth < NARROW_PX) { layers.npSetOpen(false); }
  };
}());
