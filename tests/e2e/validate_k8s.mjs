// Validates Kubernetes objects against their schemas: every YAML document of the file named on the
// command line (or stdin) is loaded with `yaml` and checked with kubernetes-models (v1, apps/v1,
// autoscaling/v2, policy/v1) / @kubernetes-models/prometheus-operator (a model's schema also pins the
// apiVersion). Prints one line per object; exits 1 if any is invalid or of a kind it has no schema for.
//   node validate_k8s.mjs manifests.yaml
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { ConfigMap, Service } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { PrometheusRule, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const models = {
  ConfigMap,
  Service,
  Deployment,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  PrometheusRule,
  ServiceMonitor,
};

const text = readFileSync(process.argv[2] ?? 0, "utf8");
let failures = 0;
let count = 0;
for (const doc of parseAllDocuments(text)) {
  if (doc.errors.length) {
    console.log(`FAIL yaml: ${doc.errors.map((e) => e.message).join("; ")}`);
    failures++;
    continue;
  }
  const object = doc.toJS();
  if (object === null) continue;
  const items = object.kind === "List" ? object.items : [object];
  for (const item of items) {
    count++;
    const id = `${item.kind}/${item.metadata?.namespace}/${item.metadata?.name}`;
    const Model = models[item.kind];
    if (!Model) {
      console.log(`FAIL ${id}: no schema for kind ${item.kind}`);
      failures++;
      continue;
    }
    try {
      new Model(item).validate();
      console.log(`ok   ${id}`);
    } catch (err) {
      console.log(`FAIL ${id}: ${err.message}`);
      failures++;
    }
  }
}
if (count === 0) {
  console.log("FAIL no objects found");
  failures++;
}
console.log(`${count} objects, ${failures} failures`);
process.exit(failures ? 1 : 0);
