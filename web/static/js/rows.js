// A list field shown as a table (web/templates/macros/form.html rows_input): adds and removes
// rows, and fills the table from rows pasted out of Excel or WPS (tab-separated, one line per
// row, the first line optionally the column titles), as web/ui/form_rows.py reads them when
// this script does not run. A paste with columns the table lacks is refused with the server's
// own words (the paste box's data-* templates), before any row is filled or the form sent.
// Without this script the page still works: blank rows, 移除 boxes, the paste box and the
// 添加一行 button (which then submits the form to be shown again) are read by the server.
// Enter in a cell goes down a row here; without this script it presses the form's 提交.
(function () {
  'use strict';

  // Excel quotes a cell holding a tab, a line break or a quote: "a ""b""". Blank lines are
  // kept (a line's number is its place in the paste, as the server counts it).
  function parseTSV(text) {
    var rows = [], row = [], cell = '', i = 0, quoted = false;
    text = text.replace(/\r\n?/g, '\n').replace(/^\n+|\n+$/g, '');
    while (i < text.length) {
      var ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        if (ch === '"') { quoted = false; i += 1; continue; }
        cell += ch; i += 1; continue;
      }
      if (ch === '"' && cell === '') { quoted = true; i += 1; continue; }
      if (ch === '\t') { row.push(cell); cell = ''; i += 1; continue; }
      if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 1; continue; }
      cell += ch; i += 1;
    }
    row.push(cell); rows.push(row);
    return rows;
  }

  function bare(text) { return text.replace(/[\s*＊:：]/g, '').toLowerCase(); }

  // a header's row numbers, as the table's own first column: 序号, or No. or # in English
  var ROW_NO = ['序号', 'no.', 'no', '#'];
  var UNIT = /[（(][^）)]*[）)]$/;  // "核定兑付金额（元）" is also headed 核定兑付金额

  // A column is headed by its title or its name, also as English words (credit_code:
  // Credit code), with or without a unit after either.
  function columnsOf(field) {
    return Array.prototype.map.call(field.querySelectorAll('th[data-column]'), function (th) {
      var title = th.getAttribute('data-title'), name = th.getAttribute('data-column');
      return { name: name, title: title,
               heads: [bare(name), bare(name.replace(/_/g, '')), bare(title),
                       bare(title.replace(UNIT, ''))] };
    });
  }

  // The column each cell of a header line names, or null when the line is data.
  function headerOf(line, columns) {
    var hits = 0, filled = 0;
    var named = line.map(function (cell) {
      if (cell.trim() && ROW_NO.indexOf(bare(cell)) < 0) filled += 1;
      var said = [bare(cell), bare(cell.trim().replace(UNIT, ''))];
      for (var h = 0; h < said.length; h += 1) {  // as the cell says it first
        for (var k = 0; k < columns.length; k += 1) {
          if (said[h] && columns[k].heads.indexOf(said[h]) >= 0) {
            hits += 1;
            return columns[k].name;
          }
        }
      }
      return null;
    });
    return hits && hits * 2 >= filled ? named : null;
  }

  function inputsOf(tr) { return tr.querySelectorAll('input[name], select[name], textarea[name]'); }

  // How many cells a line has up to its last filled one.
  function widthOf(line) {
    for (var k = line.length; k > 0; k -= 1) if (line[k - 1].trim()) return k;
    return 0;
  }

  function said(box, name, values) {
    return box.getAttribute('data-' + name).replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  // The paste's lines as rows ({order, lines}), or {problem} when it does not fit the table:
  // a line wider than the table (or than its title line, or with a value under a blank
  // title), or titles naming no column.
  function readPaste(field, box) {
    var records = parseTSV(box.value);
    var lines = [];
    records.forEach(function (line, k) {
      if (line.some(function (c) { return c.trim(); })) lines.push({ no: k + 1, cells: line });
    });
    var columns = columnsOf(field);
    var order = columns.map(function (c) { return c.name; });
    var header = lines.length ? headerOf(lines[0].cells, columns) : null;
    var sep = box.getAttribute('data-separator') || '、';
    if (header) {
      var unknown = lines[0].cells.filter(function (cell, k) {
        return cell.trim() && !header[k] && ROW_NO.indexOf(bare(cell)) < 0;
      }).map(function (cell) { return cell.trim(); });
      if (unknown.length) {
        return { problem: said(box, 'unknown-titles', {
          titles: unknown.join(sep),
          columns: columns.map(function (c) { return c.title; }).join(sep) }) };
      }
      order = header.slice(0, widthOf(lines[0].cells));
      var titles = lines[0].cells;
      lines = lines.slice(1);
    }
    for (var k = 0; k < lines.length; k += 1) {
      var cells = lines[k].cells, found = widthOf(cells);
      if (found > order.length) {
        return { problem: said(box, header ? 'beyond-titles' : 'too-many',
                               { line: lines[k].no, found: found, expected: order.length }) };
      }
      for (var c = 0; header && c < found; c += 1) {  // nothing under a blank title is lost
        if (!titles[c].trim() && cells[c].trim()) {
          return { problem: said(box, 'untitled', { line: lines[k].no, column: c + 1 }) };
        }
      }
    }
    return { order: order, lines: lines.map(function (l) { return l.cells; }) };
  }

  function showProblem(field, box, problem) {
    var p = field.querySelector('.paste-error');
    if (p) { p.textContent = problem || ''; p.hidden = !problem; }
    box.setAttribute('aria-invalid', problem ? 'true' : 'false');
  }

  function isBlank(tr) {
    return Array.prototype.every.call(inputsOf(tr), function (el) {
      return el.type === 'checkbox' || !el.value.trim();
    });
  }

  function renumber(tbody) {
    Array.prototype.forEach.call(tbody.rows, function (tr, n) {
      var no = tr.querySelector('.row-no');
      if (no) no.textContent = String(n + 1);
    });
  }

  // A new row copies the last one's shape with the next free index, empty and without errors.
  function addRow(field) {
    var tbody = field.querySelector('table.rows-table tbody');
    var last = tbody.rows[tbody.rows.length - 1];
    var next = 0;
    Array.prototype.forEach.call(tbody.rows, function (tr) {
      next = Math.max(next, Number(tr.getAttribute('data-row')) + 1);
    });
    var tr = last.cloneNode(true);
    tr.setAttribute('data-row', String(next));
    Array.prototype.forEach.call(tr.querySelectorAll('[name], [id]'), function (el) {
      ['name', 'id', 'aria-describedby'].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && attr === 'name') el.setAttribute(attr, value.replace(/\[\d+\]\[/, '[' + next + ']['));
        if (value && attr !== 'name') el.setAttribute(attr, value.replace(/-\d+-(?=[^-]*$)/, '-' + next + '-'));
      });
      if (!el.hasAttribute('name')) return;  // a cell's hint
      if (el.type === 'checkbox') { el.checked = false; el.value = String(next); }
      else if (el.tagName === 'SELECT') el.selectedIndex = 0;
      else el.value = '';
      el.setAttribute('aria-invalid', 'false');
    });
    Array.prototype.forEach.call(tr.querySelectorAll('.field-error'), function (p) { p.remove(); });
    Array.prototype.forEach.call(tr.querySelectorAll('.has-error'), function (td) {
      td.classList.remove('has-error');
    });
    tbody.appendChild(tr);
    relabel(field, tr);
    renumber(tbody);
    return tr;
  }

  // Each input's accessible name says its row ("第 3 行 企业名称"): follow the new number.
  function relabel(field, tr) {
    var n = Array.prototype.indexOf.call(tr.parentNode.rows, tr) + 1;
    Array.prototype.forEach.call(inputsOf(tr), function (el) {
      var label = el.getAttribute('aria-label');
      if (label) el.setAttribute('aria-label', label.replace(/\d+/, String(n)));
    });
  }

  function setValue(el, text) {
    if (el.tagName !== 'SELECT') { el.value = text; return; }
    var wanted = text.trim();
    var yes = { '是': 'true', '否': 'false' };
    for (var k = 0; k < el.options.length; k += 1) {
      var option = el.options[k];
      if (option.value === wanted || option.text === wanted || option.value === yes[wanted]) {
        el.selectedIndex = k;
        return;
      }
    }
  }

  // Pasted lines fill the blank rows first, then new ones; the box is emptied so that the
  // server does not add them a second time.
  function fill(field, box) {
    var read = readPaste(field, box);
    showProblem(field, box, read.problem);
    if (read.problem || !read.lines.length) return;
    var order = read.order, lines = read.lines;
    var tbody = field.querySelector('table.rows-table tbody');
    var blanks = Array.prototype.filter.call(tbody.rows, isBlank);
    lines.forEach(function (line) {
      var tr = blanks.shift() || addRow(field);
      line.forEach(function (cell, k) {
        var name = order[k];
        if (!name) return;
        var el = tr.querySelector('[name$="][' + name + ']"]');
        if (el) setValue(el, cell.trim());
      });
    });
    box.value = '';
  }

  function removeRow(field, tr) {
    var tbody = tr.parentNode;
    if (tbody.rows.length > 1) tr.remove(); else {
      Array.prototype.forEach.call(inputsOf(tr), function (el) {
        if (el.type !== 'checkbox') setValue(el, '');
        if (el.tagName === 'SELECT') el.selectedIndex = 0;
      });
    }
    Array.prototype.forEach.call(tbody.rows, function (row) { relabel(field, row); });
    renumber(tbody);
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-rows]'), function (field) {
    var box = field.querySelector('textarea.paste-box');
    if (!box) return;  // read-only
    // 添加一行 adds a row here instead of sending the form to be shown again
    Array.prototype.forEach.call(field.querySelectorAll('button.add-row'), function (b) {
      b.type = 'button';
      b.removeAttribute('name');
    });
    Array.prototype.forEach.call(field.querySelectorAll(
      'button.add-row, button.fill-rows, button.remove-row'), function (b) { b.hidden = false; });
    Array.prototype.forEach.call(field.querySelectorAll('.remove-box, .no-script'),
      function (el) { el.hidden = true; });
    // the blank rows the server adds for typing without this script: one is enough with
    // 添加一行 at hand
    var tbody = field.querySelector('table.rows-table tbody');
    var blanks = Array.prototype.filter.call(tbody.rows, isBlank);
    blanks.slice(1).forEach(function (tr) { tr.remove(); });
    renumber(tbody);
    field.addEventListener('click', function (event) {
      var button = event.target.closest('button');
      if (!button || !field.contains(button)) return;
      if (button.classList.contains('add-row')) {
        var tr = addRow(field);
        var first = tr.querySelector('input, select');
        if (first) first.focus();
      } else if (button.classList.contains('fill-rows')) fill(field, box);
      else if (button.classList.contains('remove-row')) removeRow(field, button.closest('tr'));
    });
    // Enter in a cell goes down to the same column of the next row (a new row after the
    // last), as in a spreadsheet, rather than sending the whole form; Enter that ends an
    // input method's composition is the input method's.
    tbody.addEventListener('keydown', function (event) {
      if (event.key !== 'Enter' || event.isComposing || event.keyCode === 229) return;
      var el = event.target;
      if (!el.matches || !el.matches('input, select') || el.type === 'checkbox') return;
      var tr = el.closest('tr');
      if (!tr || tr.parentNode !== tbody) return;
      event.preventDefault();
      var column = Array.prototype.indexOf.call(inputsOf(tr), el);
      var next = tr.nextElementSibling || addRow(field);
      var target = inputsOf(next)[column];
      if (target) target.focus();
    });
    box.addEventListener('input', function (event) {
      if (event.inputType === 'insertFromPaste') fill(field, box);
    });
    // a paste typed or left in the box is the server's to read, once it fits the table
    var form = field.closest('form');
    if (form) {
      form.addEventListener('submit', function (event) {
        var problem = box.value.trim() ? readPaste(field, box).problem : null;
        showProblem(field, box, problem);
        if (problem) { event.preventDefault(); box.focus(); }
      });
    }
  });
}());
