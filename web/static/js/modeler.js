// The in-browser modeler (bpmn-js Modeler + camunda moddle, served from node_modules) with the
// engine's validation and the layout check of diagram-layout.js shown live on the elements, a
// small properties panel, form schemas edited (as text, or in js/form-fields.js's table) beside
// a server-rendered preview, deploy and download. Also the "what changed" page: two versions
// drawn side by side, added / changed / removed elements in colour.
// No build step: plain ES5-ish browser code around the global BpmnJS of the bpmn-js bundle.
(function () {
  'use strict';

  var FORM_KEY = /^[A-Za-z_][A-Za-z0-9_\-]*$/;
  var SCHEMA_URI = 'https://json-schema.org/draft/2020-12/schema';

  function $(id) { return document.getElementById(id); }

  var el = window.kuaibanEl;

  function debounce(fn, ms) {
    var timer = null;
    var wrapped = function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
    wrapped.now = function () { clearTimeout(timer); fn(); };
    return wrapped;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name=csrf-token]');
    return meta ? meta.getAttribute('content') : '';
  }

  function post(url, body, accept) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': accept || 'application/json',
                 'X-CSRFToken': csrfToken() },
      body: JSON.stringify(body)
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });
  }

  function saveBlob(blob, name) {
    var a = el('a', { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // bpmn-js's texts (palette, context pad, menus) from ``dictionary`` (its English -> the
  // page's language; empty on an English page): a ``translate`` service replacing bpmn-js's own
  function translation(dictionary) {
    function translate(template, replacements) {
      var text = Object.prototype.hasOwnProperty.call(dictionary, template)
        ? dictionary[template] : template;
      return text.replace(/{([^}]+)}/g, function (whole, key) {
        return replacements && key in replacements ? replacements[key] : whole;
      });
    }
    return { translate: ['value', translate] };
  }

  // the palette names its tools for screen readers only (aria-label): the same as tooltips
  function paletteTooltips(box) {
    box.querySelectorAll('.djs-palette .entry[aria-label]').forEach(function (entry) {
      entry.title = entry.getAttribute('aria-label');
    });
  }

  // -- the modeler page ----------------------------------------------------------------------

  function Modeler(box) {
    var M = JSON.parse(($('modeler-messages') || {}).textContent || '{}');
    var t = function (key, n) { return String(M[key] || key).replace('{n}', n); };
    var state = {
      key: null, main: null, blank: false, forms: {}, others: [], knownForms: [], roles: [],
      problems: [], layout: [], seq: 0, currentForm: null, xml: null, fixedXml: null
    };
    var modeler, canvas, registry, modeling, moddle, overlays, selection;
    var marked = [];
    var problemsBox = $('problems');
    var status = $('status');
    var deployButton = $('btn-deploy');
    // the 字段 table beside the form's text (js/form-fields.js): its edits become the text
    var fields = window.kuaibanFormFields($('form-fields'), t, function (text) {
      if (!state.currentForm) return;
      $('form-text').value = text;
      state.forms[state.currentForm] = text;
      preview();
      validate();
    });

    function setStatus(text, kind) {
      status.textContent = text;
      status.className = 'modeler-status ' + (kind || '');
    }

    // -- loading

    Promise.all([getJSON(box.dataset.moddleUrl), getJSON(box.dataset.draftUrl)])
      .then(function (loaded) {
        var descriptor = loaded[0], draft = loaded[1];
        state.key = draft.key;
        state.main = draft.main;
        state.blank = draft.version === null;
        state.knownForms = draft.known_forms || [];
        state.roles = draft.roles || [];
        var mainXml = '';
        draft.files.forEach(function (f) {
          if (f.name === draft.main) mainXml = state.mainXml = f.content;
          else if (f.kind === 'form') state.forms[f.name.replace(/\.json$/, '')] = f.content;
          else state.others.push({ name: f.name, content: f.content });
        });
        modeler = new BpmnJS({ container: box, moddleExtensions: { camunda: descriptor },
                               additionalModules: [translation(M.bpmnJs || {})] });
        modeler.on('palette.changed', function () { paletteTooltips(box); });
        canvas = modeler.get('canvas');
        registry = modeler.get('elementRegistry');
        modeling = modeler.get('modeling');
        moddle = modeler.get('moddle');
        overlays = modeler.get('overlays');
        selection = modeler.get('selection');
        window.kuaibanModeler = modeler;
        window.kuaiban = { modeler: modeler, validate: validate.now, state: state,
                           selectForm: selectForm };
        return modeler.importXML(mainXml).catch(function (err) {
          // no diagram interchange (or none bpmn-js can draw): the BPMN is kept as it is,
          // still validated and deployed with the forms, which stay editable
          state.fixedXml = mainXml;
          console.warn('bpmn-js could not import the diagram:', err.message);
        });
      })
      .then(function () {
        var shapes = registry.filter(function (e) { return e.type !== 'label' && e.parent; });
        if (!shapes.length) {
          state.fixedXml = state.fixedXml || state.mainXml;
          box.parentNode.insertBefore(el('p', { className: 'notice', id: 'no-di', text: t('noDi') }),
                                      box);
        } else {
          kuaibanDiagramView.first(modeler);
          kuaibanDiagramView.controls(modeler, $('zoom-controls'));
          paletteTooltips(box);
        }
        modeler.on('commandStack.changed', function () { validate(); });
        modeler.on('selection.changed', function () { renderPanel(); });
        modeler.on('elements.changed', function (e) {
          var current = selection.get()[0];
          if (current && e.elements.indexOf(current) >= 0) renderPanel();
        });
        renderForms();
        renderOthers();
        $('btn-validate').addEventListener('click', function () { validate.now(); });
        deployButton.addEventListener('click', previewDeploy);
        $('btn-confirm-deploy').addEventListener('click', deploy);
        $('btn-cancel-deploy').addEventListener('click', cancelDeploy);
        $('btn-download-bpmn').addEventListener('click', downloadBpmn);
        $('btn-download-zip').addEventListener('click', downloadZip);
        $('btn-new-form').addEventListener('click', function () {
          var input = $('new-form-key');
          if (newForm(input.value.trim())) input.value = '';
        });
        $('form-text').addEventListener('input', function () {
          if (!state.currentForm) return;
          state.forms[state.currentForm] = $('form-text').value;
          fields.show($('form-text').value);
          preview();
          validate();
        });
        box.setAttribute('data-ready', 'true');
        validate.now();
      })
      .catch(function (err) {
        box.setAttribute('data-ready', 'error');
        setStatus(t('requestFailed') + ': ' + err.message, 'error');
      });

    // -- files

    function processId() {
      if (state.fixedXml) return state.key;
      var root = canvas.getRootElement().businessObject;
      if (!root) return state.key;
      if (root.$type === 'bpmn:Process') return root.id;
      var part = (root.participants || []).filter(function (p) { return p.processRef; })[0];
      return part ? part.processRef.id : state.key;
    }

    function processIds() {
      if (state.fixedXml) return [state.key];
      var definitions = modeler.getDefinitions();
      return ((definitions && definitions.rootElements) || []).filter(function (e) {
        return e.$type === 'bpmn:Process';
      }).map(function (e) { return e.id; });
    }

    function mainName() {
      // a new diagram, or one whose process was given another key, is named after its key
      if (state.blank || processIds().indexOf(state.key) < 0) return processId() + '.bpmn';
      return state.main;
    }

    function payload(xml) {
      var files = [{ name: mainName(), content: xml }];
      Object.keys(state.forms).sort().forEach(function (k) {
        files.push({ name: k + '.json', content: state.forms[k] });
      });
      state.others.forEach(function (f) {
        if (f.name !== mainName()) files.push({ name: f.name, content: f.content });
      });
      return { key: processId(), files: files };
    }

    function exportXml() {
      if (state.fixedXml) return Promise.resolve(state.fixedXml);
      if (!modeler.get('commandStack').canUndo() && state.mainXml) {
        // not edited (or every edit undone): the text as deployed, so an unchanged diagram
        // deploys as "unchanged" and downloads byte for byte
        state.xml = state.mainXml;
        return Promise.resolve(state.mainXml);
      }
      return modeler.saveXML({ format: true }).then(function (r) { state.xml = r.xml; return r.xml; });
    }

    // -- validation

    function validate() {
      problemsBox.setAttribute('data-state', 'pending');
      runValidate();
    }
    validate.now = function () { runValidate.now(); };

    var runValidate = debounce(function () {
      var seq = ++state.seq;
      var layout = layoutProblems();
      problemsBox.setAttribute('data-state', 'running');
      setStatus(t('validating'), 'busy');
      exportXml()
        .then(function (xml) { return post(box.dataset.validateUrl, payload(xml)); })
        .then(function (r) {
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.json();
        })
        .then(function (data) {
          if (seq !== state.seq) return;  // an older answer: a newer check is on its way
          state.layout = layout;
          showProblems((data.problems || []).concat(layout));
          var errors = data.errors || 0, warnings = (data.warnings || 0) + layout.length;
          deployButton.disabled = errors > 0;
          setStatus(errors ? t('invalid', errors) : t('valid') +
                    (warnings ? ' · ' + t('warnings', warnings) : ''), errors ? 'error' : 'ok');
          problemsBox.setAttribute('data-state', errors ? 'errors' : 'ok');
          problemsBox.setAttribute('data-seq', String(seq));
        })
        .catch(function (err) {
          if (seq !== state.seq) return;
          problemsBox.setAttribute('data-state', 'failed');
          setStatus(t('requestFailed') + ': ' + err.message, 'error');
        });
    }, 600);

    // The layout check (web/static/js/diagram-layout.js) of the diagram as drawn now, as
    // warnings in the page's language; advisory, like lint, so they never block a deploy.
    function layoutProblems() {
      if (state.fixedXml || typeof kuaibanLayoutProblems !== 'function') return [];
      var found;
      try {
        found = kuaibanLayoutProblems(modeler);
      } catch (err) {  // advisory: a failing check must not stop validation
        console.warn('layout check failed:', err);
        return [];
      }
      return found.map(function (f) {
        var text = M['layout_' + f.code];
        return {
          file: mainName(), line: null, element: f.id, severity: 'warning', kind: 'layout',
          message: text ? text.replace('{other}', f.other || '') : f.problem
        };
      });
    }

    function targetsOf(p) {
      if (p.file && /\.json$/i.test(p.file)) {
        var key = p.file.replace(/^.*\//, '').replace(/\.json$/i, '');
        return registry.filter(function (e) {
          return e.businessObject && e.businessObject.formKey === key && e.type !== 'label';
        }).map(function (e) { return e.id; });
      }
      if (p.file && p.file !== mainName() && p.file !== state.main) return [];
      if (!p.element) return [];
      if (registry.get(p.element)) return [p.element];
      var participant = registry.filter(function (e) {
        return e.type === 'bpmn:Participant' && e.businessObject.processRef &&
          e.businessObject.processRef.id === p.element;
      })[0];
      return participant ? [participant.id] : [];
    }

    function showProblems(problems) {
      state.problems = problems;
      overlays.remove({ type: 'kb-problem' });
      marked.forEach(function (m) {
        if (registry.get(m.id)) canvas.removeMarker(m.id, m.css);
      });
      marked = [];
      var byElement = {};
      problems.forEach(function (p) {
        p.targets = targetsOf(p);
        p.targets.forEach(function (id) { (byElement[id] = byElement[id] || []).push(p); });
      });
      Object.keys(byElement).forEach(function (id) {
        var items = byElement[id];
        var error = items.some(function (p) { return p.severity === 'error'; });
        var css = error ? 'kb-error' : 'kb-warning';
        canvas.addMarker(id, css);
        marked.push({ id: id, css: css });
        var element = registry.get(id);
        var lane = element.type === 'bpmn:Lane' || element.type === 'bpmn:Participant';
        var badge = el('div', {
          className: 'kb-problem-badge ' + (error ? 'error' : 'warning'),
          title: items.map(function (p) { return p.message; }).join('\n'),
          'data-element': id, text: String(items.length)
        });
        badge.addEventListener('click', function () { selection.select(element); });
        var position = element.waypoints ? { top: -10, left: -10 }
          : lane ? { top: 4, left: 34 } : { top: -10, right: 10 };
        overlays.add(id, 'kb-problem', { position: position, html: badge });
      });
      var list = $('problem-list');
      list.textContent = '';
      problems.forEach(function (p) {
        var where = p.kind === 'layout' ? t('layout')
          : (p.file || '-') + (p.line ? ':' + p.line : '');
        var item = el('li', { className: 'problem ' + p.severity, 'data-element': p.element || '',
                              'data-file': p.file || '', 'data-kind': p.kind }, [
          el('span', { className: 'sev', text: p.severity === 'error' ? '✖' : '⚠' }), ' ',
          el('code', { text: p.element || t('general') }), ' ',
          el('span', { className: 'message', text: p.message }), ' ',
          el('small', { className: 'where', text: where })
        ]);
        if (p.targets.length) {
          item.classList.add('clickable');
          item.addEventListener('click', function () {
            var element = registry.get(p.targets[0]);
            selection.select(element);
            if (!element.waypoints) canvas.scrollToElement(element);
          });
        } else if (p.file && /\.json$/i.test(p.file)) {
          item.classList.add('clickable');
          item.addEventListener('click', function () {
            selectForm(p.file.replace(/\.json$/i, ''));
          });
        }
        list.appendChild(item);
      });
      if (!problems.length) list.appendChild(el('li', { className: 'ok', text: t('noProblems') }));
      $('problem-count').textContent = problems.length ? '(' + problems.length + ')' : '';
      renderFormProblems();
      renderFormList();
      renderPanel();
    }

    // -- the properties panel

    function laneOf(element) {
      var lanes = registry.filter(function (e) { return e.type === 'bpmn:Lane'; });
      return lanes.filter(function (lane) {
        return (lane.businessObject.flowNodeRef || []).indexOf(element.businessObject) >= 0;
      })[0] || null;
    }

    function leafLanes() {
      return registry.filter(function (e) {
        return e.type === 'bpmn:Lane' && !(e.businessObject.childLaneSet &&
          (e.businessObject.childLaneSet.lanes || []).length);
      });
    }

    function field(label, input, hint) {
      return el('div', { className: 'panel-field' }, [
        el('label', { for: input.id, text: label }), input,
        hint ? el('p', { className: 'hint', text: hint }) : null
      ]);
    }

    function textInput(id, value, onChange, list) {
      var input = el('input', { id: id, value: value || '', list: list, autocomplete: 'off' });
      input.addEventListener('change', function () { onChange(input.value.trim()); });
      input.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') { e.preventDefault(); input.blur(); }
      });
      return input;
    }

    function datalist(id, values) {
      return el('datalist', { id: id }, values.map(function (v) {
        return el('option', { value: v.value, label: v.label || '' });
      }));
    }

    function camundaProperty(bo, name) {
      var ext = bo.extensionElements;
      var props = ext && (ext.values || []).filter(function (v) {
        return v.$type === 'camunda:Properties';
      })[0];
      var prop = props && (props.values || []).filter(function (p) { return p.name === name; })[0];
      return { ext: ext, props: props, prop: prop };
    }

    function setCamundaProperty(element, bo, name, value) {
      var found = camundaProperty(bo, name);
      var ext = found.ext, props = found.props, prop = found.prop;
      if (!value) {
        if (prop) {
          modeling.updateModdleProperties(element, props, {
            values: props.values.filter(function (p) { return p !== prop; })
          });
        }
        return;
      }
      if (prop) {
        modeling.updateModdleProperties(element, prop, { value: value });
        return;
      }
      if (!ext) {
        ext = moddle.create('bpmn:ExtensionElements', { values: [] });
        ext.$parent = bo;
        modeling.updateModdleProperties(element, bo, { extensionElements: ext });
      }
      if (!props) {
        props = moddle.create('camunda:Properties', { values: [] });
        props.$parent = ext;
        modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([props]) });
      }
      prop = moddle.create('camunda:Property', { name: name, value: value });
      prop.$parent = props;
      modeling.updateModdleProperties(element, props, { values: (props.values || []).concat([prop]) });
    }

    function expression(body, parent) {
      var expr = moddle.create('bpmn:FormalExpression', { body: body });
      expr.$parent = parent;
      return expr;
    }

    function renderPanel() {
      var panel = $('panel');
      if (!panel || !modeler) return;
      var element = selection.get()[0];
      panel.textContent = '';
      if (!element || element.type === 'label') {
        panel.appendChild(el('p', { className: 'hint', text: t('select') }));
        return;
      }
      var bo = element.businessObject;
      var type = element.type;
      panel.setAttribute('data-element', element.id);
      var local = type.replace('bpmn:', '');
      var kind = (M.kinds || {})[local.charAt(0).toLowerCase() + local.slice(1)];
      panel.appendChild(el('h3', {}, kind ? [kind, ' ', el('small', {}, [el('code', { text: local })])]
                                          : [el('code', { text: local })]));
      var mine = state.problems.filter(function (p) {
        return (p.targets || []).indexOf(element.id) >= 0;
      });
      if (mine.length) {
        panel.appendChild(el('ul', { className: 'plain panel-problems' }, mine.map(function (p) {
          return el('li', { className: p.severity,
                            text: (p.severity === 'error' ? '✖ ' : '⚠ ') + p.message });
        })));
      }
      panel.appendChild(field(t('id'), el('input', { id: 'p-id', value: element.id, readonly: true })));

      if (type === 'bpmn:Lane') {
        panel.appendChild(datalist('role-names', state.roles.map(function (r) {
          return { value: r.name, label: r.id };
        })));
        panel.appendChild(field(t('laneName'), textInput('p-name', bo.name, function (v) {
          modeling.updateProperties(element, { name: v || undefined });
        }, 'role-names')));
      } else if (type === 'bpmn:Participant') {
        panel.appendChild(field(t('name'), textInput('p-name', bo.name, function (v) {
          modeling.updateProperties(element, { name: v || undefined });
        })));
        var process = bo.processRef;
        if (process) {
          panel.appendChild(field(t('processId'), textInput('p-process-id', process.id, function (v) {
            if (v && FORM_KEY.test(v)) modeling.updateModdleProperties(element, process, { id: v });
          })));
          panel.appendChild(field(t('processName'), textInput('p-process-name', process.name,
            function (v) { modeling.updateModdleProperties(element, process, { name: v || undefined }); })));
          panel.appendChild(field(t('casePrefix'), textInput('p-case-prefix',
            (camundaProperty(process, 'case_prefix').prop || {}).value, function (v) {
              setCamundaProperty(element, process, 'case_prefix', v);
            })));
          panel.appendChild(field(t('subject'), textInput('p-subject',
            (camundaProperty(process, 'subject').prop || {}).value, function (v) {
              setCamundaProperty(element, process, 'subject', v);
            }), t('subjectHint')));
        }
      } else {
        panel.appendChild(field(t('name'), textInput('p-name', bo.name, function (v) {
          modeling.updateProperties(element, { name: v || undefined });
        })));
      }

      var isStart = type === 'bpmn:StartEvent';
      if (type === 'bpmn:UserTask' || isStart) {
        var forms = {};
        state.knownForms.forEach(function (k) { forms[k] = t('formDeployed'); });
        Object.keys(state.forms).forEach(function (k) { forms[k] = t('formInDraft'); });
        panel.appendChild(datalist('form-keys', Object.keys(forms).sort().map(function (k) {
          return { value: k, label: forms[k] };
        })));
        var formInput = textInput('p-form-key', bo.formKey, function (v) {
          modeling.updateProperties(element, { 'camunda:formKey': v || undefined });
        }, 'form-keys');
        var formField = field(t('formKey'), formInput);
        if (bo.formKey && FORM_KEY.test(bo.formKey)) {
          var inDraft = Object.prototype.hasOwnProperty.call(state.forms, bo.formKey);
          formField.appendChild(el('button', {
            type: 'button', className: 'small secondary', id: 'p-edit-form',
            text: inDraft ? t('editForm') : t('createForm'),
            onclick: function () { if (!inDraft) newForm(bo.formKey); else selectForm(bo.formKey); }
          }));
        }
        panel.appendChild(formField);
      }
      if (type === 'bpmn:UserTask') {
        panel.appendChild(field(t('dueDate'), textInput('p-due-date', bo.dueDate, function (v) {
          modeling.updateProperties(element, { 'camunda:dueDate': v || undefined });
        }), t('dueHint')));
        panel.appendChild(field(t('unit'), textInput('p-unit',
          (camundaProperty(bo, 'unit').prop || {}).value, function (v) {
            setCamundaProperty(element, bo, 'unit', v);
          })));
      }
      var timer = (bo.eventDefinitions || []).filter(function (d) {
        return d.$type === 'bpmn:TimerEventDefinition';
      })[0];
      if (timer) {
        var kinds = ['timeDate', 'timeDuration', 'timeCycle'];
        var kind = kinds.filter(function (k) { return timer[k]; })[0] || 'timeDate';
        var select = el('select', { id: 'p-timer-kind' }, kinds.map(function (k) {
          return el('option', { value: k, text: t(k), selected: k === kind });
        }));
        var body = timer[kind] ? timer[kind].body : '';
        var apply = function () {
          var props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
          var value = $('p-timer').value.trim();
          if (value) props[select.value] = expression(value, timer);
          modeling.updateModdleProperties(element, timer, props);
        };
        select.addEventListener('change', apply);
        panel.appendChild(field(t('timer'), select));
        panel.appendChild(field(t(kind), textInput('p-timer', body, apply), t('timerHint')));
        if (isStart) {
          // the case each occurrence starts: one that exists already is not started again
          panel.appendChild(field(t('businessKey'), textInput('p-business-key',
            (camundaProperty(bo, 'business_key').prop || {}).value, function (v) {
              setCamundaProperty(element, bo, 'business_key', v);
            }), t('businessKeyHint')));
        }
      }
      if (type === 'bpmn:SequenceFlow') {
        var condition = bo.conditionExpression ? bo.conditionExpression.body : '';
        panel.appendChild(field(t('condition'), textInput('p-condition', condition, function (v) {
          modeling.updateProperties(element, {
            conditionExpression: v ? expression(v, bo) : undefined
          });
        })));
      }
      if (type === 'bpmn:ScriptTask') {
        var script = el('textarea', { id: 'p-script', rows: 6, spellcheck: 'false' });
        script.value = bo.script || '';
        script.addEventListener('change', function () {
          modeling.updateProperties(element, { script: script.value });
        });
        panel.appendChild(field(t('script'), script));
      }
      var inPool = element.parent && (element.parent.type === 'bpmn:Participant' ||
                                      element.parent.type === 'bpmn:Process');
      var lanes = leafLanes();
      if (inPool && lanes.length && !element.waypoints && type !== 'bpmn:Lane' &&
          type !== 'bpmn:BoundaryEvent') {
        var current = laneOf(element);
        var laneSelect = el('select', { id: 'p-lane' }, [
          el('option', { value: '', text: t('noLane'), selected: !current })
        ].concat(lanes.map(function (lane) {
          return el('option', { value: lane.id, selected: lane === current,
                                text: (lane.businessObject.name || '') + ' (' + lane.id + ')' });
        })));
        laneSelect.addEventListener('change', function () {
          var lane = registry.get(laneSelect.value);
          if (!lane) return;
          var dy = lane.y + lane.height / 2 - (element.y + element.height / 2);
          modeling.moveElements([element], { x: 0, y: dy });
        });
        panel.appendChild(field(t('lane'), laneSelect));
      }
    }

    // -- forms

    function newForm(key) {
      if (!FORM_KEY.test(key)) { alert(t('badFormKey')); return false; }
      if (Object.prototype.hasOwnProperty.call(state.forms, key)) {
        selectForm(key);
        return true;
      }
      state.forms[key] = JSON.stringify({
        $schema: SCHEMA_URI, title: key, type: 'object', required: [], properties: {}
      }, null, 2) + '\n';
      selectForm(key);
      validate();
      renderPanel();
      return true;
    }

    function selectForm(key) {
      state.currentForm = key;
      var text = $('form-text');
      text.disabled = false;
      text.value = state.forms[key] || '';
      $('form-text-label').textContent = key + '.json';
      fields.show(text.value);
      renderFormList();
      renderFormProblems();
      preview.now();
      $('forms').scrollIntoView({ block: 'start' });
    }

    function renderForms() {
      renderFormList();
      var keys = Object.keys(state.forms).sort();
      if (keys.length) {
        state.currentForm = keys[0];
        $('form-text').disabled = false;
        $('form-text').value = state.forms[keys[0]];
        $('form-text-label').textContent = keys[0] + '.json';
        fields.show(state.forms[keys[0]]);
        renderFormList();
        preview.now();
      }
    }

    function formHasError(key) {
      return state.problems.some(function (p) {
        return p.severity === 'error' && p.file === key + '.json';
      });
    }

    function renderFormList() {
      var list = $('form-list');
      list.textContent = '';
      Object.keys(state.forms).sort().forEach(function (key) {
        var button = el('button', {
          type: 'button', className: 'link form-name', 'data-form': key, text: key + '.json',
          onclick: function () { selectForm(key); }
        });
        var remove = el('button', {
          type: 'button', className: 'link remove', title: t('removeForm'), text: '×',
          onclick: function () {
            delete state.forms[key];
            if (state.currentForm === key) {
              state.currentForm = null;
              $('form-text').value = '';
              $('form-text').disabled = true;
              $('form-preview').textContent = '';
              fields.show(null);
            }
            renderFormList();
            validate();
          }
        });
        list.appendChild(el('li', {
          className: (key === state.currentForm ? 'current ' : '') + (formHasError(key) ? 'error' : '')
        }, [button, ' ', remove]));
      });
    }

    function renderFormProblems() {
      var list = $('form-problems');
      list.textContent = '';
      if (!state.currentForm) return;
      state.problems.filter(function (p) { return p.file === state.currentForm + '.json'; })
        .forEach(function (p) {
          list.appendChild(el('li', { className: p.severity,
                                      text: (p.line ? p.line + ': ' : '') + p.message }));
        });
    }

    var previewSeq = 0;
    var preview = debounce(function () {
      var key = state.currentForm;
      if (!key) return;
      var box = $('form-preview');
      var seq = ++previewSeq;
      box.setAttribute('data-state', 'running');
      post(box.dataset.url || $('modeler').dataset.previewUrl, { schema: state.forms[key] },
           'text/html')
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.text(); })
        .then(function (html) {
          // an older answer (edits in the 字段 table come quickly): a newer one is on its way
          if (seq !== previewSeq) return;
          box.innerHTML = html;  // rendered and escaped by the server's Jinja templates
          // a preview never submits (no inline handler: the CSP runs no inline script)
          box.querySelectorAll('form').forEach(function (form) {
            form.addEventListener('submit', function (e) { e.preventDefault(); });
          });
          // fields that follow a choice come and go as on the task page (js/branches.js)
          if (window.kuaibanBranches) window.kuaibanBranches(box);
          box.setAttribute('data-state', 'ready');
          box.setAttribute('data-form', key);
        })
        .catch(function (err) {
          if (seq !== previewSeq) return;
          box.textContent = t('requestFailed') + ': ' + err.message;
          box.setAttribute('data-state', 'failed');
        });
    }, 350);

    function renderOthers() {
      if (!state.others.length) return;
      $('other-files').hidden = false;
      var list = $('other-file-list');
      state.others.forEach(function (f) { list.appendChild(el('li', {}, [el('code', { text: f.name })])); });
    }

    // -- deploy (after the designer confirmed what changes) and download

    function previewDeploy() {
      var confirmBox = $('deploy-confirm');
      deployButton.disabled = true;
      $('deploy-result').hidden = true;
      setStatus(t('previewing'), 'busy');
      exportXml()
        .then(function (xml) { return post(box.dataset.previewDeployUrl, payload(xml)); })
        .then(function (r) {
          return r.json().then(function (data) { return { status: r.status, data: data }; });
        })
        .then(function (answer) {
          if (answer.status !== 200) {
            showDeployFailure(answer.data);
            return;
          }
          var list = $('deploy-preview');
          list.textContent = '';
          answer.data.processes.forEach(function (p) { list.appendChild(previewOf(p)); });
          confirmBox.hidden = false;
          confirmBox.setAttribute('data-state', 'asking');
          setStatus(t('confirmDeploy'), 'busy');
          confirmBox.scrollIntoView({ block: 'nearest' });
          $('btn-confirm-deploy').focus();
        })
        .catch(function (err) {
          deployButton.disabled = false;
          setStatus(t('requestFailed') + ': ' + err.message, 'error');
        });
    }

    function previewOf(p) {
      var what = !p.created ? t('willNotChange') : (p.first ? t('willCreateFirst')
                                                    : t('willCreate', p.version));
      var item = el('section', { className: 'deploy-process', 'data-key': p.key }, [
        el('h3', {}, [p.name + ' ', el('code', { text: p.key }), ' · ', what])
      ]);
      var d = p.diff;
      if (!d) return item;
      if (d.empty) item.appendChild(el('p', { className: 'hint', text: t('onlyLayout') }));
      [['added', d.added], ['removed', d.removed]].forEach(function (pair) {
        if (!pair[1].length) return;
        item.appendChild(el('p', { className: 'diff-' + pair[0] }, [
          el('strong', { text: labelled(t(pair[0])) }), pair[1].map(named).join(t('separator'))]));
      });
      if (d.changed.length) {
        item.appendChild(el('p', { className: 'diff-changed' }, [el('strong', { text: labelled(t('changed')) })]));
        item.appendChild(el('ul', { className: 'plain diff-changes' }, d.changed.map(function (e) {
          return el('li', {}, [labelled(named(e)), el('ul', {}, e.changes.map(function (c) {
            return el('li', {}, [el('code', { text: c.what }), ' ',
              el('del', { text: c.before === null ? t('empty') : c.before }), ' → ',
              el('ins', { text: c.after === null ? t('empty') : c.after })]);
          }))]);
        })));
      }
      [['formsAdded', d.forms_added], ['formsRemoved', d.forms_removed],
       ['formsChanged', d.forms_changed], ['decisionsChanged', d.decisions_changed]]
        .forEach(function (pair) {
          if (!pair[1].length) return;
          item.appendChild(el('p', {}, [el('strong', { text: labelled(t(pair[0])) }),
                                        pair[1].join(t('separator'))]));
          if (pair[0] === 'formsChanged') item.appendChild(formChanges(d.form_changes || {}));
        });
      return item;
    }

    // the page language's punctuation: 修改元素：, 审批（userTask）; Changed elements: …
    function labelled(text) { return text + t('colon'); }

    function named(e) {
      return t('named').replace('{name}', function () { return e.name || e.id; })
        .replace('{kind}', function () { return (M.kinds || {})[e.kind] || e.kind; });
    }

    // each changed form's changes as the server put them in words
    function formChanges(changes) {
      return el('ul', { className: 'plain diff-changes form-changes' }, Object.keys(changes).map(function (key) {
        return el('li', { 'data-form': key }, [el('code', { text: key }), t('colon'),
          el('ul', {}, changes[key].map(function (said) { return el('li', { text: said }); }))]);
      }));
    }

    function cancelDeploy() {
      $('deploy-confirm').hidden = true;
      deployButton.disabled = false;
      setStatus(t('cancelled'), '');
    }

    function showDeployFailure(data) {
      var result = $('deploy-result');
      result.hidden = false;
      result.textContent = '';
      result.setAttribute('data-state', 'failed');
      result.appendChild(el('h2', { text: t('deployFailed') }));
      if (data.error) result.appendChild(el('p', { className: 'error', text: data.error.message }));
      showProblems((data.problems || []).concat(state.layout));
      setStatus(t('deployFailed'), 'error');
      problemsBox.setAttribute('data-state', 'errors');
    }

    function deploy() {
      var result = $('deploy-result');
      $('deploy-confirm').hidden = true;
      deployButton.disabled = true;
      setStatus(t('deploying'), 'busy');
      exportXml()
        .then(function (xml) { return post(box.dataset.deployUrl, payload(xml)); })
        .then(function (r) {
          return r.json().then(function (data) { return { status: r.status, data: data }; });
        })
        .then(function (answer) {
          var data = answer.data;
          result.hidden = false;
          result.textContent = '';
          if (answer.status !== 200) {
            showDeployFailure(data);
            return;
          }
          result.setAttribute('data-state', 'deployed');
          result.appendChild(el('h2', { text: t('deployed') }));
          result.appendChild(el('ul', { className: 'plain', id: 'deployed-list' },
            data.deployed.map(function (d) {
              return el('li', { 'data-key': d.key, 'data-version': String(d.version) }, [
                el('strong', { text: d.name + ' ' + d.key + ' v' + d.version }), ' ',
                d.created ? null : el('span', { className: 'hint', text: t('unchanged') }),
                ' ', el('a', { href: d.modeler_url, text: t('openNew') }),
                ' · ', el('a', { href: d.version_url, text: t('viewVersion') }),
                d.diff_url ? ' · ' : null,
                d.diff_url ? el('a', { href: d.diff_url, text: t('diff') }) : null
              ]);
            })));
          Object.keys(state.forms).forEach(function (k) {
            if (state.knownForms.indexOf(k) < 0) state.knownForms.push(k);
          });
          setStatus(t('deployed'), 'ok');
          deployButton.disabled = false;
          result.scrollIntoView({ block: 'nearest' });
        })
        .catch(function (err) {
          deployButton.disabled = false;
          setStatus(t('requestFailed') + ': ' + err.message, 'error');
        });
    }

    function downloadBpmn() {
      exportXml().then(function (xml) {
        saveBlob(new Blob([xml], { type: 'application/xml' }), mainName());
      });
    }

    function downloadZip() {
      exportXml()
        .then(function (xml) { return post(box.dataset.downloadUrl, payload(xml), 'application/zip'); })
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.blob(); })
        .then(function (blob) { saveBlob(blob, processId() + '.zip'); })
        .catch(function (err) { setStatus(t('requestFailed') + ': ' + err.message, 'error'); });
    }
  }

  // -- what changed: two versions side by side ----------------------------------------------

  function Diff(box) {
    var viewers = [];
    var colon = box.dataset.colon || ': ';
    getJSON(box.dataset.url)
      .then(function (d) {
        var forms = d.forms || {};
        // a changed element's own changes, then those of the form it shows, in words
        function changesOf(id) {
          var said = (d.details[id] || []).map(function (c) {
            return c.what + colon + (c.before || '—') + ' → ' + (c.after || '—');
          });
          var form = forms[id];
          if (!form) return { count: said.length, lines: said };
          return { count: said.length + form.changes.length,
                   lines: said.concat([box.dataset.formChanged + ' ' + form.key + colon],
                                      form.changes.map(function (c) { return '· ' + c; })) };
        }
        function show(container, xml, marks) {
          var viewer = new BpmnJS({ container: container });
          viewers.push(viewer);
          return viewer.importXML(xml).then(function () {
            var canvas = viewer.get('canvas');
            var registry = viewer.get('elementRegistry');
            var overlays = viewer.get('overlays');
            Object.keys(marks).forEach(function (css) {
              marks[css].forEach(function (id) {
                var element = registry.get(id);
                if (!element) return;
                canvas.addMarker(id, css);
                var changes = changesOf(id);
                if (css === 'kb-diff-changed' && changes.count && !element.waypoints) {
                  overlays.add(id, 'kb-diff', {
                    position: { top: -10, right: 10 },
                    html: el('div', {
                      className: 'kb-diff-badge', text: '±' + changes.count,
                      title: changes.lines.join('\n')
                    })
                  });
                }
              });
            });
            kuaibanDiagramView.controls(viewer, container.parentNode);
          });
        }
        // the first changed, added or removed shape a version shows, to open on
        function firstChange(viewer, marks) {
          var registry = viewer.get('elementRegistry');
          var ids = ['kb-diff-changed', 'kb-diff-added', 'kb-diff-removed'].reduce(
            function (all, css) { return all.concat(marks[css] || []); }, []);
          return ids.map(function (id) { return registry.get(id); })
            .filter(function (e) {
              return e && !e.waypoints && ['label', 'bpmn:Participant', 'bpmn:Lane']
                .indexOf(e.type) < 0;
            })[0];
        }
        var marks = [{ 'kb-diff-removed': d.removed, 'kb-diff-changed': d.changed },
                     { 'kb-diff-added': d.added, 'kb-diff-changed': d.changed }];
        return Promise.all([show($('diff-old'), d.old_xml, marks[0]),
                            show($('diff-new'), d.new_xml, marks[1])])
          .then(function () {
            // one view for both, of what both draw, on the newer version's first change (else
            // the older's): an element drawn at the same place in each shows at the same place
            var older = viewers[0], newer = viewers[1];
            var focus = firstChange(newer, marks[1]) || firstChange(older, marks[0]);
            kuaibanDiagramView.first(newer, focus, kuaibanDiagramView.together(viewers));
            kuaibanDiagramView.align(older, newer);
          });
      })
      .then(function () {
        // 同步缩放: zooming or panning one version moves the other the same way
        var together = $('sync-zoom');
        var linked = kuaibanDiagramView.link(viewers, function () {
          return !together || together.checked;
        });
        if (together) together.closest('label').hidden = false;
        box.setAttribute('data-ready', 'true');
        document.querySelectorAll('[data-element]').forEach(function (item) {
          item.classList.add('clickable');
          item.addEventListener('click', function () {
            linked.quiet(function () {  // each version brings its own element into view
              viewers.forEach(function (viewer) {
                var element = viewer.get('elementRegistry').get(item.dataset.element);
                if (element && !element.waypoints) viewer.get('canvas').scrollToElement(element);
              });
            });
          });
        });
      })
      .catch(function (err) {
        box.setAttribute('data-ready', 'error');
        box.insertBefore(el('p', { className: 'notice',
                                   text: (box.dataset.error || 'error') + ' (' + err.message + ')' }),
                         box.firstChild);
      });
  }

  var modelerBox = $('modeler');
  if (modelerBox) Modeler(modelerBox);
  var diffBox = $('diff');
  if (diffBox) Diff(diffBox);
})();
