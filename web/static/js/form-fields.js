// The 字段 table of the modeler's form editor (web/static/js/modeler.js): a form's fields in
// order, edited as cells and written back into the form's JSON Schema text, which stays the
// source of truth. Only the keywords a cell edits are touched: every other keyword (x-*,
// conditions, nested objects, formats) stays as it is, and a field holding some is marked
// 高级. Validation stays the server's; this only writes JSON.
// No build step: plain ES5-ish browser code, like modeler.js.
(function () {
  'use strict';

  var NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
  var KINDS = ['text', 'textarea', 'number', 'integer', 'boolean', 'date', 'choice', 'file'];
  // the keywords each kind is made of (beside type, title and description, which all have)
  var SHAPES = { textarea: ['x-widget'], date: ['format'], choice: ['oneOf', 'enum'],
                 file: ['items', 'x-file'] };
  var FORM_KEYS = ['$schema', 'title', 'description', 'type', 'properties', 'required',
                   'additionalProperties'];
  var FILE_ITEMS = { type: 'string', contentMediaType: 'application/octet-stream' };

  function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

  function isChoiceList(list) {
    return Array.isArray(list) && list.every(function (o) {
      return isObject(o) && typeof o.const === 'string' && Object.keys(o).every(function (k) {
        return k === 'const' || (k === 'title' && typeof o.title === 'string');
      });
    });
  }

  // which row of the type menu a field is; 'other' for shapes the table does not edit
  function kindOf(prop) {
    if (!isObject(prop)) return 'other';
    var type = prop.type;
    if (type === 'boolean' || type === 'number' || type === 'integer') return type;
    if (type === 'array' && 'x-file' in prop) return 'file';
    if (type !== 'string' || ('oneOf' in prop && 'enum' in prop)) return 'other';
    if ('format' in prop) return prop.format === 'date' ? 'date' : 'other';
    if ('oneOf' in prop) return isChoiceList(prop.oneOf) ? 'choice' : 'other';
    if ('enum' in prop) {
      var strings = Array.isArray(prop.enum) && prop.enum.every(function (v) {
        return typeof v === 'string';
      });
      return strings ? 'choice' : 'other';
    }
    return prop['x-widget'] === 'textarea' ? 'textarea' : 'text';
  }

  // the keywords of a field the table neither shows nor edits (kept as they are)
  function advancedKeys(prop, kind) {
    if (!isObject(prop)) return [];
    var own = ['type', 'title', 'description'].concat(SHAPES[kind] || []);
    return Object.keys(prop).filter(function (k) {
      if (k === 'x-file') return Object.keys(prop[k] || {}).length > 0;  // accept, max_files…
      if (k === 'items' && kind === 'file') {
        return JSON.stringify(prop.items) !== JSON.stringify(FILE_ITEMS);
      }
      return own.indexOf(k) < 0;
    });
  }

  // a choice's options, one a line: 值, or 值 = 显示文字 when the two differ
  function optionLines(prop) {
    if (Array.isArray(prop.enum)) return prop.enum.join('\n');
    return (prop.oneOf || []).map(function (o) {
      return o.title === undefined || o.title === o.const ? o.const : o.const + ' = ' + o.title;
    }).join('\n');
  }

  function withOptions(prop, text) {
    var lines = text.split('\n').map(function (l) { return l.trim(); })
      .filter(function (l) { return l; });
    var pairs = lines.some(function (l) { return l.indexOf(' = ') > 0; });
    if (Array.isArray(prop.enum) && !pairs) {
      prop.enum = lines;
      return;
    }
    delete prop.enum;
    prop.oneOf = lines.map(function (line) {
      var at = line.indexOf(' = ');
      var value = at > 0 ? line.slice(0, at).trim() : line;
      return { const: value, title: at > 0 ? line.slice(at + 3).trim() : line };
    });
  }

  function shapeOf(kind) {
    switch (kind) {
      case 'textarea': return { type: 'string', 'x-widget': 'textarea' };
      case 'date': return { type: 'string', format: 'date' };
      case 'choice': return { type: 'string', oneOf: [] };
      case 'file': return { type: 'array', items: JSON.parse(JSON.stringify(FILE_ITEMS)),
                            'x-file': {} };
      case 'text': return { type: 'string' };
      default: return { type: kind };
    }
  }

  // the keywords a change of kind drops: those that make ``kind`` (a file's x-file …) and any
  // choices (a choice's options, a boolean's labels)
  function shapeKeys(kind) { return (SHAPES[kind] || []).concat(['oneOf', 'enum']); }

  function shapeOfField(prop, kind) {
    var own = {};
    shapeKeys(kind).forEach(function (k) { if (k in prop) own[k] = prop[k]; });
    return own;
  }

  // the field as another kind: the old kind's own keywords go, the new kind's (``kept`` from an
  // earlier visit to it, else new) come in where `type` was; every other keyword stays put
  function withKind(prop, oldKind, kind, kept) {
    var drop = shapeKeys(oldKind);
    var shape = Object.assign(shapeOf(kind), kept);
    if (kept && 'enum' in kept) delete shape.oneOf;
    var out = {};
    if (!('type' in prop)) Object.assign(out, shape);
    Object.keys(prop).forEach(function (k) {
      if (k === 'type') Object.assign(out, shape);
      else if (drop.indexOf(k) < 0 && !(k in shape)) out[k] = prop[k];
    });
    return out;
  }

  // the properties in a new order or with one renamed, as an object in that order
  function reordered(properties, names, renamed) {
    var out = {};
    names.forEach(function (n) {
      out[renamed && n === renamed[0] ? renamed[1] : n] = properties[n];
    });
    return out;
  }

  window.kuaibanFormFields = function (box, t, onEdit) {
    var schema = null;   // the form as last parsed or edited here
    var broken = false;  // the text does not parse: the table shows what it last could, read-only
    // per field, what each kind it was changed away from held: stepping through the type menu
    // with the arrow keys and back to 选择 finds its options again
    var left = {};

    var el = window.kuaibanEl;

    function names() { return Object.keys(schema.properties); }

    function required() { return Array.isArray(schema.required) ? schema.required : []; }

    function edited() { onEdit(JSON.stringify(schema, null, 2) + '\n'); }

    // a structural change: the table drawn anew, focus back where the keyboard was
    function changed(focusName, focusCol) {
      edited();
      render();
      var row = focusName && box.querySelector('tr[data-field="' + CSS.escape(focusName) + '"]');
      var target = row && (row.querySelector('[data-col="' + focusCol + '"]:not([disabled])') ||
                           row.querySelector('[data-col]:not([disabled])'));
      (target || box.querySelector('#btn-add-field')).focus();
    }

    function labelFor(column, name) { return t(column) + ' · ' + name; }

    function addField() {
      if (!isObject(schema.properties)) schema.properties = {};
      var n = names().length + 1;
      while (('field_' + n) in schema.properties) n++;
      var name = 'field_' + n;
      schema.properties[name] = { type: 'string', title: '' };
      changed(name, 'name');
    }

    function removeField(name) {
      var title = (schema.properties[name] || {}).title;
      if (title && !window.confirm(t('confirmRemoveField').replace('{title}', title))) return;
      var all = names();
      var next = all[all.indexOf(name) + 1] || all[all.indexOf(name) - 1];
      delete schema.properties[name];
      if (Array.isArray(schema.required)) {
        schema.required = schema.required.filter(function (r) { return r !== name; });
      }
      changed(next, 'remove');
    }

    function moveField(name, by) {
      var all = names();
      var at = all.indexOf(name);
      all.splice(at, 1);
      all.splice(at + by, 0, name);
      schema.properties = reordered(schema.properties, all);
      changed(name, by < 0 ? 'up' : 'down');
    }

    function renameField(name, input, problem) {
      var value = input.value.trim();
      var bad = value === name ? '' : !NAME.test(value) ? t('badFieldName')
        : (value in schema.properties) ? t('duplicateFieldName') : '';
      problem.textContent = bad;
      problem.hidden = !bad;
      input.setAttribute('aria-invalid', bad ? 'true' : 'false');
      if (bad || value === name) return;
      schema.properties = reordered(schema.properties, names(), [name, value]);
      if (Array.isArray(schema.required)) {
        schema.required = schema.required.map(function (r) { return r === name ? value : r; });
      }
      // the cell is left (Tab) after this change event: the table is drawn anew once the
      // keyboard got where it was going, and the focus stays there
      window.setTimeout(function () {
        var now = document.activeElement;
        if (!now || !box.contains(now)) { edited(); render(); return; }
        var row = now.closest('tr[data-field]');
        var field = row ? row.getAttribute('data-field') : value;
        changed(field === name ? value : field, now.getAttribute('data-col') || 'name');
      }, 0);
    }

    function setRequired(name, on) {
      var list = required().filter(function (r) { return r !== name; });
      if (on) list.push(name);
      schema.required = list;
      edited();
    }

    function setText(prop, key, value) {
      if (value || key === 'title') prop[key] = value;
      else delete prop[key];
      edited();
    }

    function setKind(name, kind) {
      var prop = schema.properties[name];
      var old = kindOf(prop);
      var kept = left[name] = left[name] || {};
      kept[old] = shapeOfField(prop, old);
      schema.properties[name] = withKind(prop, old, kind, kept[kind]);
      changed(name, 'kind');
    }

    function kindMenu(name, kind) {
      var options = (kind === 'other' ? ['other'] : KINDS).map(function (k) {
        return el('option', { value: k, selected: k === kind, text: t('kind_' + k) });
      });
      return el('select', {
        'data-col': 'kind', 'aria-label': labelFor('fieldKind', name), disabled: kind === 'other',
        onchange: function (e) { setKind(name, e.target.value); }
      }, options);
    }

    function cell(column, children) {
      // one box per cell: on a phone the cell is its label beside that box (modeler.css)
      return el('td', { 'data-label': t(column) }, [el('div', {}, children)]);
    }

    function nameCell(name, index, prop, kind) {
      var advanced = advancedKeys(prop, kind);
      var problem = el('span', { className: 'field-problem error', role: 'alert', hidden: true,
                                 id: 'field-problem-' + index });
      var input = el('input', {
        value: name, 'data-col': 'name', spellcheck: 'false', autocomplete: 'off',
        'aria-label': labelFor('fieldName', name), 'aria-describedby': problem.id,
        onchange: function (e) { renameField(name, e.target, problem); }
      });
      var marker = !advanced.length && isObject(prop) ? null : el('span', {
        className: 'field-advanced', title: advanced.join(', ')
      }, [t('advanced'), el('small', { text: advanced.join(' · ') })]);
      return cell('fieldName', [input, problem, marker]);
    }

    // 标题 or 说明: a text written as the field's title or description
    function textCell(column, key, name, prop) {
      var plain = isObject(prop);
      return cell(column, [el('input', {
        value: plain ? prop[key] || '' : '', 'data-col': key, disabled: !plain,
        'aria-label': labelFor(column, name),
        oninput: function (e) { setText(prop, key, e.target.value); }
      })]);
    }

    function optionsCell(name, prop, kind) {
      if (kind !== 'choice') {
        return cell('fieldOptions', [el('span', { className: 'hint', text: '—' })]);
      }
      var lines = el('textarea', {
        'data-col': 'options', rows: '3', 'aria-label': labelFor('fieldOptions', name),
        oninput: function (e) { withOptions(prop, e.target.value); edited(); }
      });
      lines.value = optionLines(prop);
      return cell('fieldOptions', [lines]);
    }

    function actionsCell(name, index, count) {
      function button(col, label, text, disabled, act) {
        return el('button', { type: 'button', className: 'small secondary', 'data-col': col,
                              disabled: disabled, 'aria-label': labelFor(label, name),
                              title: t(label), text: text, onclick: act });
      }
      return cell('fieldActions', [
        button('up', 'moveUp', '↑', index === 0, function () { moveField(name, -1); }),
        button('down', 'moveDown', '↓', index === count - 1, function () { moveField(name, 1); }),
        button('remove', 'removeField', '×', false, function () { removeField(name); })
      ]);
    }

    function row(name, index, count) {
      var prop = schema.properties[name];
      var kind = kindOf(prop);
      return el('tr', { 'data-field': name, 'data-kind': kind }, [
        nameCell(name, index, prop, kind),
        textCell('fieldTitle', 'title', name, prop),
        cell('fieldKind', [kindMenu(name, kind)]),
        cell('fieldRequired', [el('input', {
          type: 'checkbox', 'data-col': 'required', checked: required().indexOf(name) >= 0,
          'aria-label': labelFor('fieldRequired', name),
          onchange: function (e) { setRequired(name, e.target.checked); }
        })]),
        optionsCell(name, prop, kind),
        textCell('fieldDescription', 'description', name, prop),
        actionsCell(name, index, count)
      ]);
    }

    function table() {
      var all = names();
      var head = ['fieldName', 'fieldTitle', 'fieldKind', 'fieldRequired', 'fieldOptions',
                  'fieldDescription', 'fieldActions'];
      return el('div', { className: 'scroll' }, [el('table', { className: 'fields-table' }, [
        el('caption', { className: 'visually-hidden', text: t('fields') }),
        el('thead', {}, [el('tr', {}, head.map(function (h) {
          return el('th', { scope: 'col', text: t(h) });
        }))]),
        el('tbody', {}, all.map(function (name, i) { return row(name, i, all.length); }))
      ])]);
    }

    function render() {
      box.textContent = '';
      box.appendChild(el('h3', { id: 'form-fields-title', text: t('fields') }));
      if (broken) {
        box.appendChild(el('p', { className: 'notice', id: 'form-fields-broken', role: 'status',
                                  text: t('fieldsBroken') }));
      }
      if (!isObject(schema) || !isObject(schema.properties) && 'properties' in schema) {
        if (!broken || schema !== null) {
          box.appendChild(el('p', { className: 'notice', text: t('fieldsNotObject') }));
        }
        box.setAttribute('data-state', broken ? 'broken' : 'unreadable');
        return;
      }
      if (!isObject(schema.properties)) schema.properties = {};
      var others = Object.keys(schema).filter(function (k) { return FORM_KEYS.indexOf(k) < 0; });
      if (others.length) {
        box.appendChild(el('p', { className: 'hint form-advanced' }, [
          t('formAdvanced') + ' ', el('code', { text: others.join(', ') })]));
      }
      box.appendChild(table());
      box.appendChild(el('p', {}, [el('button', {
        type: 'button', id: 'btn-add-field', className: 'small', text: t('addField'),
        onclick: addField
      })]));
      box.appendChild(el('p', { className: 'hint', text: t('fieldsHint') }));
      box.querySelectorAll('input, select, textarea, button').forEach(function (input) {
        if (broken) input.disabled = true;
      });
      box.setAttribute('data-state', broken ? 'broken' : 'ready');
    }

    return {
      // the table of the form text ``text`` (null: no form chosen)
      show: function (text) {
        box.hidden = text === null;
        left = {};
        if (text === null) { schema = null; broken = false; box.textContent = ''; return; }
        try {
          schema = JSON.parse(text);
          broken = false;
        } catch (err) {
          broken = true;  // keep the last table, read-only, until the text parses again
        }
        render();
      }
    };
  };
})();
