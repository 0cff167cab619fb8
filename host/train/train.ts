/**
 * The training run: windows -> tensors, fit with Adam on categorical
 * cross-entropy, then metrics on the held-out windows. Seeded end to end
 * (see withSeededMathRandom), so one config and seed give one model.
 */
import { InputLayout, LayerSpec } from './config.js';
import { Dataset, WindowSet } from './dataset.js';
import { ClassificationReport, argmaxRows, classificationReport } from './metrics.js';
import { buildModel, inputShapeFor } from './model-builder.js';
import { withSeededMathRandom } from './random.js';
import { tf, tfl } from './tfjs.js';

export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  validationLoss: number;
  validationAccuracy: number;
}

export interface TrainOptions {
  layout: InputLayout;
  layers: LayerSpec[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  onEpoch?: (log: EpochLog) => void;
}

export interface TrainedModel {
  model: tfl.LayersModel;
  inputShape: number[];
  history: EpochLog[];
  validation: ClassificationReport;
}

/** A window set as a model input tensor [count, ...inputShape]. */
export function windowTensor(set: WindowSet, inputShape: number[]): tf.Tensor {
  return tf.tensor(set.values, [set.count, ...inputShape], 'float32');
}

/** Class probabilities of every window, [count * classes]. */
export function predictProbabilities(model: tfl.LayersModel, x: tf.Tensor, batchSize = 256): Float32Array {
  return tf.tidy(() => (model.predict(x, { batchSize }) as tf.Tensor).dataSync() as Float32Array);
}

export function evaluateModel(model: tfl.LayersModel, set: WindowSet, inputShape: number[], classes: string[]): ClassificationReport {
  const x = windowTensor(set, inputShape);
  try {
    return classificationReport(set.labels, argmaxRows(predictProbabilities(model, x), classes.length), classes);
  } finally {
    x.dispose();
  }
}

export async function trainModel(dataset: Dataset, options: TrainOptions): Promise<TrainedModel> {
  const inputShape = inputShapeFor(options.layout, dataset.windowLength, dataset.channels);
  const classes = dataset.classes.length;
  const xTrain = windowTensor(dataset.train, inputShape);
  const yTrain = tf.oneHot(tf.tensor1d(dataset.train.labels, 'int32'), classes);
  const xVal = windowTensor(dataset.validation, inputShape);
  const yVal = tf.oneHot(tf.tensor1d(dataset.validation.labels, 'int32'), classes);
  const history: EpochLog[] = [];
  try {
    const model = await withSeededMathRandom(options.seed, async () => {
      const m = buildModel(options.layers, inputShape, classes);
      m.compile({ optimizer: tf.train.adam(options.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      await m.fit(xTrain, yTrain, {
        epochs: options.epochs,
        batchSize: options.batchSize,
        shuffle: true,
        validationData: [xVal, yVal],
        verbose: 0,
        callbacks: {
          onEpochEnd: async (epoch, logs) => {
            const log: EpochLog = {
              epoch: epoch + 1,
              loss: Number(logs?.loss),
              accuracy: Number(logs?.acc ?? logs?.accuracy),
              validationLoss: Number(logs?.val_loss),
              validationAccuracy: Number(logs?.val_acc ?? logs?.val_accuracy),
            };
            history.push(log);
            options.onEpoch?.(log);
          },
        },
      });
      return m;
    });
    const validation = evaluateModel(model, dataset.validation, inputShape, dataset.classes);
    return { model, inputShape, history, validation };
  } finally {
    tf.dispose([xTrain, yTrain, xVal, yVal]);
  }
}
