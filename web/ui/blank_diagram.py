"""The diagram a new process starts from in the modeler: one pool, one lane, one user task."""

from __future__ import annotations


def blank_diagram(key: str, name: str) -> str:
    """A new process: a pool with one lane (受理员), start, one user task, end; with DI."""
    esc = (name.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
           .replace(">", "&gt;"))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_{key}" targetNamespace="http://kuaiban.local/processes">
  <bpmn:collaboration id="Collaboration_{key}">
    <bpmn:participant id="Participant_{key}" name="{esc}" processRef="{key}" />
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="{esc}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_{key}">
      <bpmn:lane id="Lane_intake" name="受理员">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>register</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始">
      <bpmn:outgoing>Flow_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="register" name="登记" camunda:dueDate="workday_close(1)">
      <bpmn:incoming>Flow_start</bpmn:incoming>
      <bpmn:outgoing>Flow_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="结束">
      <bpmn:incoming>Flow_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_start" sourceRef="start" targetRef="register" />
    <bpmn:sequenceFlow id="Flow_end" sourceRef="register" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_{key}">
    <bpmndi:BPMNPlane id="BPMNPlane_{key}" bpmnElement="Collaboration_{key}">
      <bpmndi:BPMNShape id="Participant_{key}_di" bpmnElement="Participant_{key}"
                        isHorizontal="true">
        <dc:Bounds x="160" y="80" width="600" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_intake_di" bpmnElement="Lane_intake" isHorizontal="true">
        <dc:Bounds x="190" y="80" width="570" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="242" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="register_di" bpmnElement="register">
        <dc:Bounds x="350" y="140" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="532" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_start_di" bpmnElement="Flow_start">
        <di:waypoint x="278" y="180" />
        <di:waypoint x="350" y="180" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_end_di" bpmnElement="Flow_end">
        <di:waypoint x="450" y="180" />
        <di:waypoint x="532" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
