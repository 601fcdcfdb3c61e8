// forewarn's web page: send the story to this server with fetch, show the report the server
// renders (the same HTML renderer as `forewarn scan --format html`) and the avoid-list verdict.
// The avoid-list is the server's profile (the one `forewarn profile` keeps) when the server
// listens on loopback, and is remembered in this browser otherwise.
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
  var statusText = $('status-text');
  var errorBox = $('error');
  var button = $('scan-button');
  var STORAGE = 'forewarn.avoid';
  var PROFILE = '/page/profile';
  var shared = false; // the avoid-list is the server's profile (else this browser's storage)
  var ticker = null; // the "still checking" clock
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

  // -- the avoid-list: top-level categories from the taxonomy (and any other category the
  //    profile names), each box keeping its own lowest severity in data-from --
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('#avoid-list input'));
  }

  function rules() {
    var out = {};
    boxes().forEach(function (c) { if (c.checked) { out[c.value] = c.dataset.from; } });
    return out;
  }

  var SEVERITY_WORDS = {
    implied: 'any mention', mentioned: 'mentioned or worse',
    depicted: 'depicted or worse', graphic: 'graphic only'
  };

  // A box whose severity is not the one "Warn me from" shows says which it is.
  function markSeverities() {
    var from = $('avoid-from').value;
    boxes().forEach(function (c) {
      var note = c.parentNode.querySelector('.from');
      note.textContent = c.checked && c.dataset.from !== from
        ? ' (' + SEVERITY_WORDS[c.dataset.from] + ')' : '';
    });
  }

  function save() {
    markSeverities();
    var wanted = rules();
    if (shared) {
      fetch(PROFILE, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ avoid: wanted })
      }).then(function (r) {
        if (!r.ok) { return problem(r).then(function (m) { throw new Error(m); }); }
      }).catch(function (err) {
        showError('Could not save your avoid-list to the profile: ' + err.message);
      });
      return;
    }
    try {
      var ids = Object.keys(wanted);
      localStorage.setItem(STORAGE, JSON.stringify({ ids: ids, from: $('avoid-from').value }));
    } catch (e) { /* private mode: nothing remembered */ }
  }

  function avoidSpec() {
    var wanted = rules();
    return Object.keys(wanted).map(function (id) { return id + ':' + wanted[id]; }).join(',');
  }

  // What to tick: the server's profile when it shares it, else what this browser remembers.
  var unread = ''; // why the server's profile could not be read, when it has one
  function remembered() {
    return fetch(PROFILE).then(function (r) {
      if (r.status === 404) { throw new Error('not shared'); } // a server others can reach
      if (!r.ok) {
        return problem(r).then(function (m) { unread = m; throw new Error(m); });
      }
      return r.json();
    }).then(function (profile) {
      shared = true;
      return profile.avoid;
    }).catch(function () {
      var keep;
      try { keep = JSON.parse(localStorage.getItem(STORAGE) || '{}'); } catch (e) { keep = {}; }
      var out = {};
      (keep.ids || []).forEach(function (id) { out[id] = keep.from || 'implied'; });
      return out;
    });
  }

  function mostCommon(values) {
    var counts = {};
    var best = null;
    values.forEach(function (v) {
      counts[v] = (counts[v] || 0) + 1;
      if (best === null || counts[v] > counts[best]) { best = v; }
    });
    return best;
  }

  function addBox(list, category, severity) {
    var label = document.createElement('label');
    var box = document.createElement('input');
    var note = document.createElement('span');
    box.type = 'checkbox';
    box.value = category.id;
    box.checked = !!severity;
    box.dataset.from = severity || $('avoid-from').value;
    note.className = 'from';
    box.addEventListener('change', function () {
      if (box.checked) { box.dataset.from = $('avoid-from').value; }
      save();
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(' ' + category.name));
    label.appendChild(note);
    list.appendChild(label);
  }

  function loadTaxonomy() {
    var taxonomy = fetch('/v1/taxonomy').then(function (r) { return r.json(); });
    Promise.all([taxonomy, remembered()]).then(function (both) {
      var tax = both[0];
      var keep = both[1] || {};
      var list = $('avoid-list');
      var from = mostCommon(Object.keys(keep).map(function (id) { return keep[id]; }));
      if (from) { $('avoid-from').value = from; }
      $('avoid-kept').textContent = shared
        ? 'Your choice is saved in forewarn\u2019s profile on this computer: the same avoid-list '
          + 'forewarn check uses.'
        : (unread ? 'Could not read forewarn\u2019s profile (' + unread + '): ' : '')
          + 'Your choice is remembered in this browser only.';
      // the top-level categories, then any other category the profile names, so none is lost
      tax.categories.forEach(function (c) {
        if (!c.parent || keep[c.id]) { addBox(list, c, keep[c.id]); }
      });
      markSeverities();
    }).catch(function () {
      $('avoid-list').textContent = 'Could not load the categories from the server.';
    });
  }
  $('avoid-from').addEventListener('change', function () {
    var from = $('avoid-from').value;
    boxes().forEach(function (c) { c.dataset.from = from; });
    save();
  });

  // -- sending the story --

  // A pasted story's title: the "Title:" line of a header (Project Gutenberg's) near the top,
  // else its first line, shortened at a word when long.
  function titleOf(story) {
    var lines = story.split(/\r\n|\r|\n/).slice(0, 60);
    var header = null;
    lines.some(function (line) {
      var m = /^\s*Title:\s*(\S.*)$/.exec(line);
      if (m) { header = m[1]; }
      return !!m;
    });
    var first = header || lines.filter(function (l) { return l.trim(); })[0] || '';
    first = first.replace(/^\s*#+\s*/, '').replace(/\s+/g, ' ').trim();
    if (first.length > 80) {
      var cut = first.slice(0, 70);
      first = cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 70)
        .replace(/[\s,;:.\u2014-]+$/, '') + '\u2026';
    }
    return first;
  }

  function request() {
    var file = chosenFile();
    if (file) {
      var data = new FormData();
      data.append('file', file, file.name);
      return { method: 'POST', body: data };
    }
    if (text.value.trim()) {
      var title = titleOf(text.value);
      return {
        method: 'POST',
        body: JSON.stringify(title ? { text: text.value, title: title } : { text: text.value }),
        headers: { 'Content-Type': 'application/json' }
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
    errorBox.scrollIntoView({ block: 'nearest' });
  }

  function say(message) {
    statusText.textContent = message;
  }

  // While a scan runs: the button is off, the status spins and counts the seconds (the count
  // is not read aloud every second), and the report area is marked busy.
  function setBusy(busy) {
    button.disabled = busy;
    form.setAttribute('aria-busy', busy ? 'true' : 'false');
    results.setAttribute('aria-busy', busy ? 'true' : 'false');
    statusBox.classList.toggle('busy', busy);
    var clock = $('status-clock');
    if (ticker !== null) { clearInterval(ticker); ticker = null; }
    if (clock) { clock.remove(); }
    if (!busy) { return; }
    var started = Date.now();
    clock = document.createElement('span');
    clock.id = 'status-clock';
    clock.setAttribute('aria-hidden', 'true');
    statusBox.appendChild(clock);
    ticker = setInterval(function () {
      clock.textContent = ' ' + Math.round((Date.now() - started) / 1000) + ' s';
    }, 1000);
  }

  // -- the pasted text, folded away once sent: its last lines are the story's ending --
  function words(story) {
    var n = story.trim().split(/\s+/).length;
    return n.toLocaleString('en') + (n === 1 ? ' word' : ' words');
  }

  function showText(show) {
    text.hidden = !show;
    var toggle = $('story-toggle');
    toggle.textContent = show ? 'Hide the text' : 'Show the text';
    toggle.setAttribute('aria-expanded', show ? 'true' : 'false');
  }

  function foldText() {
    $('story-about').textContent = 'The story you pasted (' + words(text.value)
      + ') is folded away, so its ending stays out of sight.';
    $('story-folded').hidden = false;
    showText(false);
  }

  $('story-toggle').addEventListener('click', function () {
    var show = text.hidden;
    showText(show);
    if (show) {
      text.scrollTop = 0; // from its beginning, not its ending
      text.focus();
      text.setSelectionRange(0, 0);
    }
  });
  text.addEventListener('input', function () {
    if (!text.value.trim()) { $('story-folded').hidden = true; showText(true); }
  });

  // The answer, brought into view: the verdict when there is one, else the report.
  function bringIntoView() {
    var target = !$('verdict').hidden ? $('verdict') : results;
    target.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
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

  // Chapters as the book prints them (the check's own words, as the report beside it names
  // them); numbers only from a server that does not send them.
  function chapters(list, named) {
    return named || (list.length === 1 ? 'chapter ' : 'chapters ') + list.join(', ');
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
        li.textContent = h.label + ' in ' + chapters(h.chapters, h.where);
        hits.appendChild(li);
      });
    }
    var safe = v.safe_chapters;
    $('verdict-safe').textContent = !v.checked ? ''
      : safe.length === v.chapters ? 'No warning found in any chapter.'
      : safe.length ? 'Nothing you avoid found in ' + chapters(safe, v.safe_where) + '.'
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
    say('Checking the story\u2026');
    $('verdict').hidden = true;
    if (!chosenFile()) { foldText(); }
    statusBox.scrollIntoView({ block: 'nearest' }); // the progress, in sight
    fetch('/v1/scan?format=html&mode=' + mode, req).then(function (r) {
      if (!r.ok) { return problem(r).then(function (m) { throw new Error(m); }); }
      return r.text();
    }).then(function (html) {
      results.innerHTML = html; // the server's renderer escapes every string from the story
      var heading = results.querySelector('h1');
      document.title = (heading ? heading.textContent + ' \u2014 ' : '') + 'forewarn';
      bindReport();
      if (!avoid) { return null; }
      return fetch('/v1/check?mode=' + mode + '&avoid=' + encodeURIComponent(avoid), request())
        .then(function (r) {
          if (!r.ok) { return problem(r).then(function (m) { throw new Error(m); }); }
          return r.json();
        }).then(function (check) { showVerdict(check.verdicts[0]); });
    }).then(function () {
      var n = results.querySelectorAll('.fw-warning').length;
      say(n === 0 ? 'Done: no content warnings found.'
        : 'Done: ' + n + ' content warning' + (n === 1 ? '' : 's') + ' found. Passages stay hidden until you show them.');
      setBusy(false);
      bringIntoView();
    }).catch(function (err) {
      say('');
      setBusy(false);
      showError('Could not check this story: ' + err.message);
    });
  });

  loadTaxonomy();
})();
