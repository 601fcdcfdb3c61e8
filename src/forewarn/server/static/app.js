// forewarn's web page: send the story to this server with fetch, show the report the server
// renders (the same HTML renderer as `forewarn scan --format html`) and the avoid-list verdict.
// Text from the story only ever reaches the page escaped by the server or through textContent.
'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var form = $('scan-form');
  var text = $('story-text');
  var fileInput = $('story-file');
  var drop = $('drop-zone');
  var results = $('results');
  var statusBox = $('status');
  var errorBox = $('error');
  var button = $('scan-button');
  var STORAGE = 'forewarn.avoid';
  var dropped = null; // a File dropped on the page (an <input type=file> cannot be set to it)

  function chosenFile() {
    return dropped || (fileInput.files && fileInput.files[0]) || null;
  }

  function showChosen() {
    var file = chosenFile();
    $('file-chosen').hidden = !file;
    $('file-name').textContent = file
      ? 'Selected: ' + file.name + ' (' + Math.max(1, Math.round(file.size / 1024)) + ' KB)'
      : '';
  }

  drop.addEventListener('dragover', function (e) {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', function () { drop.classList.remove('over'); });
  drop.addEventListener('drop', function (e) {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length) {
      dropped = e.dataTransfer.files[0];
      fileInput.value = '';
      showChosen();
    }
  });
  fileInput.addEventListener('change', function () { dropped = null; showChosen(); });
  $('file-clear').addEventListener('click', function () {
    dropped = null;
    fileInput.value = '';
    showChosen();
    fileInput.focus();
  });

  // -- the avoid-list: top-level categories from the taxonomy, remembered in localStorage --
  function saved() {
    try { return JSON.parse(localStorage.getItem(STORAGE) || '{}'); } catch (e) { return {}; }
  }

  function save() {
    var ids = Array.prototype.map.call(
      document.querySelectorAll('#avoid-list input:checked'), function (c) { return c.value; });
    try {
      localStorage.setItem(STORAGE, JSON.stringify({ ids: ids, from: $('avoid-from').value }));
    } catch (e) { /* private mode: nothing remembered */ }
  }

  function avoidSpec() {
    var from = $('avoid-from').value;
    return Array.prototype.map.call(
      document.querySelectorAll('#avoid-list input:checked'),
      function (c) { return c.value + ':' + from; }).join(',');
  }

  function loadTaxonomy() {
    fetch('/v1/taxonomy').then(function (r) { return r.json(); }).then(function (tax) {
      var keep = saved();
      var list = $('avoid-list');
      tax.categories.filter(function (c) { return !c.parent; }).forEach(function (c) {
        var label = document.createElement('label');
        var box = document.createElement('input');
        box.type = 'checkbox';
        box.value = c.id;
        box.checked = (keep.ids || []).indexOf(c.id) >= 0;
        box.addEventListener('change', save);
        label.appendChild(box);
        label.appendChild(document.createTextNode(' ' + c.name));
        list.appendChild(label);
      });
      if (keep.from) { $('avoid-from').value = keep.from; }
    }).catch(function () {
      $('avoid-list').textContent = 'Could not load the categories from the server.';
    });
  }
  $('avoid-from').addEventListener('change', save);

  // -- sending the story --
  function request() {
    var file = chosenFile();
    if (file) {
      var data = new FormData();
      data.append('file', file, file.name);
      return { method: 'POST', body: data };
    }
    if (text.value.trim()) {
      return {
        method: 'POST',
        body: text.value,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' }
      };
    }
    return null;
  }

  function problem(response) {
    return response.json().then(function (p) {
      return p.detail || p.title || String(response.status);
    }, function () {
      return response.status + ' ' + response.statusText;
    });
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function setBusy(busy) {
    button.disabled = busy;
    form.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  // The report's own script (the "show all passages" buttons) runs again for the new report.
  function bindReport() {
    var old = $('report-script');
    if (old) { old.remove(); }
    var script = document.createElement('script');
    script.id = 'report-script';
    script.src = '/static/report.js';
    document.body.appendChild(script);
  }

  function chapters(list) {
    return (list.length === 1 ? 'chapter ' : 'chapters ') + list.join(', ');
  }

  function showVerdict(v) {
    var hits = $('verdict-hits');
    hits.textContent = '';
    var box = $('verdict');
    box.className = 'verdict ' + (!v.checked ? 'verdict-unchecked' : v.safe ? 'verdict-safe' : 'verdict-unsafe');
    if (!v.checked) {
      $('verdict-summary').textContent = 'Not checked: ' + v.summary.replace(/^not checked: /, '');
    } else if (v.safe) {
      $('verdict-summary').textContent = v.summary.charAt(0).toUpperCase() + v.summary.slice(1) + '.';
    } else {
      $('verdict-summary').textContent = 'This story holds what you avoid:';
      v.hits.forEach(function (h) {
        var li = document.createElement('li');
        li.textContent = h.label + ' in ' + chapters(h.chapters);
        hits.appendChild(li);
      });
    }
    var safe = v.safe_chapters;
    $('verdict-safe').textContent = !v.checked ? ''
      : safe.length === v.chapters ? 'No warning found in any chapter.'
      : safe.length ? 'Nothing you avoid found in ' + chapters(safe) + '.'
      : 'No chapter is free of what you avoid.';
    $('verdict-caveat').textContent = v.checked ? v.caveat : '';
    $('verdict-unassessed').textContent = v.checked && v.not_assessed.length
      ? 'Could not assess: ' + v.not_assessed.join(', ') + ' (no detector for them).' : '';
    box.hidden = false;
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    errorBox.hidden = true;
    var req = request();
    if (!req) {
      showError('Paste a story or choose a file first.');
      text.focus();
      return;
    }
    var mode = encodeURIComponent($('mode').value);
    var avoid = avoidSpec();
    setBusy(true);
    statusBox.textContent = 'Checking the story…';
    $('verdict').hidden = true;
    fetch('/v1/scan?format=html&mode=' + mode, req).then(function (r) {
      if (!r.ok) { return problem(r).then(function (m) { throw new Error(m); }); }
      return r.text();
    }).then(function (html) {
      results.innerHTML = html; // the server's renderer escapes every string from the story
      bindReport();
      if (!avoid) { return null; }
      return fetch('/v1/check?mode=' + mode + '&avoid=' + encodeURIComponent(avoid), request())
        .then(function (r) {
          if (!r.ok) { return problem(r).then(function (m) { throw new Error(m); }); }
          return r.json();
        }).then(function (check) { showVerdict(check.verdicts[0]); });
    }).then(function () {
      var n = results.querySelectorAll('.fw-warning').length;
      statusBox.textContent = n === 0 ? 'Done: no content warnings found.'
        : 'Done: ' + n + ' content warning' + (n === 1 ? '' : 's') + ' found. Passages stay hidden until you show them.';
    }).catch(function (err) {
      statusBox.textContent = '';
      showError('Could not check this story: ' + err.message);
    }).then(function () { setBusy(false); });
  });

  loadTaxonomy();
})();
