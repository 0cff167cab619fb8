/**
 * Streaming keyword spotting: PCM16 audio in chunks of any size -> the audio
 * front end (one 30 ms window every 20 ms hop) -> a sliding window of feature
 * frames -> the classifier -> smoothing and decisions as TFLM's micro_speech
 * RecognizeCommands does them.
 *
 * Decision rule (TFLM micro_speech RecognizeCommands, reproduced, not copied):
 * - each classifier result (int8 scores) is queued with its time; the queue
 *   holds at most `maxResults` (50) results and a result that arrives while it
 *   is full is dropped (TFLM's PreviousResultsQueue does this silently: at one
 *   result per 20 ms a 1000 ms window would need 51);
 * - results older than `averageWindowMs` before the newest are dropped
 *   (a result exactly averageWindowMs old stays);
 * - fewer than `minimumCount` results, or results spanning less than
 *   floor(averageWindowMs / 4) ms: no decision (score 0, previous label);
 * - otherwise each label's score is the integer mean of (score + 128), the top
 *   label is the first with the largest mean (ties: lower index; a mean must be
 *   > 0 to win over index 0);
 * - the top label is a new detection when its mean is > `detectionThreshold`
 *   and it differs from the previous detected label, or more than
 *   `suppressionMs` have passed since that detection; when the previous
 *   detected label is silence (index 0, the initial state) there is no
 *   suppression at all.
 * TFLM's example also "hears" silence over and over (that is how a silence
 * between two identical words re-arms them); detections of label 0 update the
 * state exactly the same way here but are only reported with reportSilence.
 *
 * Differences from the TFLM example, on purpose: the classifier first runs
 * when the feature window holds `frames` real frames (TFLM runs it on a
 * zero-filled window from the start), and a result whose time is earlier than
 * the oldest queued one is ignored (TFLM returns an error for it).
 *
 * Allocation: all buffers are made by createKeywordSpotter(). push() copies
 * with TypedArray.set (native on Espruino and JerryScript) and allocates only
 * a subarray view when a window boundary falls inside the chunk (at most one
 * per 320 samples), a detection object per reported detection, and typed
 * views into an arena again if its engine regrew memory (old views detach).
 *
 * ES5 only: this file runs on the microcontroller.
 */
import type { Model, TensorView } from './runtime.js';
import { resetState } from './state.js';

/** A reported keyword. */
export interface KeywordDetection {
  label: string;
  /** Index of the label in the classifier's output. */
  index: number;
  /** The averaged score that triggered it, 0..255 ((int8 score + 128) averaged). */
  score: number;
  /** Time of the newest classifier result (end of its newest audio window), in ms. */
  timeMs: number;
}

export interface KeywordSpotterOptions {
  /** The audio front end: int16 [window] samples in, int8 [features] out (stateful). */
  frontEnd: Model;
  /** The classifier: int8 [frames x features] in, int8 [labels] scores out. */
  classifier: Model;
  /** One per classifier output; label 0 is silence (as TFLM's kSilenceIndex). */
  labels: string[];
  /** Run the classifier every this many new feature frames (default 1, as TFLM's example on a fast loop). */
  strideFrames?: number;
  /** RecognizeCommands average_window_duration_ms (default 1000). */
  averageWindowMs?: number;
  /** RecognizeCommands detection_threshold on the 0..255 scale (default 200). */
  detectionThreshold?: number;
  /** RecognizeCommands suppression_ms (default 1500). */
  suppressionMs?: number;
  /** RecognizeCommands minimum_count (default 3). */
  minimumCount?: number;
  /** Capacity of the results queue (default 50, TFLM's kMaxResults). */
  maxResults?: number;
  /** Samples between window starts (default 320: 20 ms at 16 kHz). */
  hopSamples?: number;
  /** Sample rate, for times (default 16000). */
  sampleRate?: number;
  /** Also report detections of label 0 (silence); default false. */
  reportSilence?: boolean;
  /** Called for every reported detection, in order. */
  onKeyword?: (detection: KeywordDetection) => void;
}

export interface KeywordSpotter {
  /**
   * Feeds audio. `nowMs` is the time at the end of `samples`; without it, time
   * is counted from the samples (0 at the first sample after reset). Returns the
   * last detection reported during this call, or null.
   */
  push(samples: Int16Array, nowMs?: number): KeywordDetection | null;
  /** Zeroes the front end's state and empties the audio, feature and result windows. */
  reset(): void;
  /** The feature window (frames x features, oldest first), as last given to the classifier. */
  readonly features: Int8Array;
  /** Feature frames computed since reset. */
  frames: number;
  /** Classifier runs since reset. */
  inferences: number;
  /** The latest RecognizeCommands answer: label index (found_command), score (0 when undecided), time. */
  lastIndex: number;
  lastScore: number;
  lastTimeMs: number;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || Math.floor(value) !== value) {
    throw new Error('tinysense: keyword spotter ' + what + ' must be a non-negative integer, not ' + value);
  }
  return value;
}

export function createKeywordSpotter(options: KeywordSpotterOptions): KeywordSpotter {
  var frontEnd = options.frontEnd;
  var classifier = options.classifier;
  var labels = options.labels;
  var fIn = frontEnd.layout.inputs[0];
  var fOut = frontEnd.layout.outputs[0];
  var cIn = classifier.layout.inputs[0];
  var cOut = classifier.layout.outputs[0];
  if (!fIn || fIn.type !== 'int16') throw new Error('tinysense: the front end must take int16 samples');
  if (!fOut || fOut.type !== 'int8') throw new Error('tinysense: the front end must give int8 features');
  if (!cIn || cIn.type !== 'int8' || !cOut || cOut.type !== 'int8') throw new Error('tinysense: the classifier must be int8 in and out');

  var window = fIn.bytes / 2;
  var featureSize = fOut.bytes;
  var windowBytes = cIn.bytes;
  var categories = cOut.bytes;
  if (windowBytes % featureSize !== 0) {
    throw new Error('tinysense: classifier input (' + windowBytes + ') is not a whole number of ' + featureSize + '-feature frames');
  }
  if (labels.length !== categories) {
    throw new Error('tinysense: ' + labels.length + ' labels for ' + categories + ' classifier outputs');
  }
  var frameCount = windowBytes / featureSize;
  var hop = positive(options.hopSamples, 320, 'hopSamples');
  if (hop < 1 || hop > window) throw new Error('tinysense: hopSamples must be 1..' + window);
  var stride = positive(options.strideFrames, 1, 'strideFrames');
  if (stride < 1) throw new Error('tinysense: strideFrames must be at least 1');
  var averageWindowMs = positive(options.averageWindowMs, 1000, 'averageWindowMs');
  var threshold = positive(options.detectionThreshold, 200, 'detectionThreshold');
  var suppressionMs = positive(options.suppressionMs, 1500, 'suppressionMs');
  var minimumCount = positive(options.minimumCount, 3, 'minimumCount');
  var maxResults = positive(options.maxResults, 50, 'maxResults');
  if (maxResults < 1) throw new Error('tinysense: maxResults must be at least 1');
  var msPerSample = 1000 / positive(options.sampleRate, 16000, 'sampleRate');
  var reportSilence = !!options.reportSilence;
  var onKeyword = options.onKeyword;
  var minimumSpanMs = Math.floor(averageWindowMs / 4);

  // Own copies: a model's arena may reuse its input's bytes during invoke.
  var pcm = new Int16Array(window);
  var features = new Int8Array(windowBytes);
  // Views made once for the shifts (TypedArray.set copies natively and handles the overlap).
  var pcmTail = pcm.subarray(hop);
  var featuresTail = features.subarray(featureSize);
  var keep = window - hop;
  var fill = 0;
  var samplesSeen = 0;
  var offsetMs = 0;

  // Results queue (ring) and the averaging sums.
  var times = new Float64Array(maxResults);
  var scores = new Int8Array(maxResults * categories);
  var sums = new Int32Array(categories);
  var front = 0;
  var size = 0;
  var previousTop = 0;
  var previousTopTime = -Infinity;

  // Typed views into the arenas, fetched again if an engine's memory regrew (old views read as length 0).
  var fInView: Int16Array = null as unknown as Int16Array;
  var fOutView: Int8Array = null as unknown as Int8Array;
  var cInView: Int8Array = null as unknown as Int8Array;
  var cOutView: Int8Array = null as unknown as Int8Array;
  function views(): void {
    if (!fInView || fInView.length !== window) fInView = frontEnd.input(0) as Int16Array;
    if (!fOutView || fOutView.length !== featureSize) fOutView = frontEnd.output(0) as Int8Array;
    if (!cInView || cInView.length !== windowBytes) cInView = classifier.input(0) as Int8Array;
    if (!cOutView || cOutView.length !== categories) cOutView = classifier.output(0) as Int8Array;
  }

  var spotter: KeywordSpotter = {
    push: push,
    reset: reset,
    features: features,
    frames: 0,
    inferences: 0,
    lastIndex: 0,
    lastScore: 0,
    lastTimeMs: 0,
  };

  /** RecognizeCommands::ProcessLatestResults on the classifier's output; a detection or null. */
  function recognize(out: TensorView, timeMs: number): KeywordDetection | null {
    var i: number;
    if (size > 0 && timeMs < times[front]) return null;
    if (size < maxResults) {
      var back = front + size;
      if (back >= maxResults) back -= maxResults;
      times[back] = timeMs;
      for (i = 0; i < categories; i++) scores[back * categories + i] = out[i];
      size++;
    }
    var limit = timeMs - averageWindowMs;
    while (size > 0 && times[front] < limit) {
      front++;
      if (front >= maxResults) front = 0;
      size--;
    }
    spotter.lastTimeMs = timeMs;
    if (size === 0 || size < minimumCount || timeMs - times[front] < minimumSpanMs) {
      spotter.lastIndex = previousTop;
      spotter.lastScore = 0;
      return null;
    }
    for (i = 0; i < categories; i++) sums[i] = 0;
    var at = front;
    for (var k = 0; k < size; k++) {
      var base = at * categories;
      for (i = 0; i < categories; i++) sums[i] += scores[base + i] + 128;
      at++;
      if (at >= maxResults) at = 0;
    }
    var top = 0;
    var topScore = 0;
    for (i = 0; i < categories; i++) {
      var mean = Math.floor(sums[i] / size);
      if (mean > topScore) {
        topScore = mean;
        top = i;
      }
    }
    spotter.lastIndex = top;
    spotter.lastScore = topScore;
    var sinceLast = previousTop === 0 || previousTopTime === -Infinity ? Infinity : timeMs - previousTopTime;
    if (topScore > threshold && (top !== previousTop || sinceLast > suppressionMs)) {
      previousTop = top;
      previousTopTime = timeMs;
      if (top === 0 && !reportSilence) return null;
      var detection: KeywordDetection = { label: labels[top], index: top, score: topScore, timeMs: timeMs };
      if (onKeyword) onKeyword(detection);
      return detection;
    }
    return null;
  }

  /** The front end's input holds a full window ending at sample `end`: features, classifier, decision. */
  function frame(end: number): KeywordDetection | null {
    frontEnd.invoke();
    views();
    // Shift the feature window by one frame and append the new one.
    features.set(featuresTail, 0);
    features.set(fOutView, windowBytes - featureSize);
    var n = ++spotter.frames;
    if (n < frameCount || (n - frameCount) % stride !== 0) return null;
    cInView.set(features);
    classifier.invoke();
    views();
    spotter.inferences++;
    return recognize(cOutView, Math.round(offsetMs + end * msPerSample));
  }

  function push(samples: Int16Array, nowMs?: number): KeywordDetection | null {
    var n = samples.length;
    var result: KeywordDetection | null = null;
    if (nowMs !== undefined) offsetMs = nowMs - (samplesSeen + n) * msPerSample;
    var i = 0;
    while (i < n) {
      var take = window - fill;
      if (take > n - i) take = n - i;
      // A whole chunk goes in as it is; a piece of one needs a view (the only allocation here).
      pcm.set(take === n ? samples : samples.subarray(i, i + take), fill);
      fill += take;
      i += take;
      samplesSeen += take;
      if (fill === window) {
        // Hand the window over and keep its overlap first: a throwing invoke or callback leaves a sound state.
        views();
        fInView.set(pcm);
        pcm.set(pcmTail, 0);
        fill = keep;
        var found = frame(samplesSeen);
        if (found) result = found;
      }
    }
    return result;
  }

  function reset(): void {
    resetState(frontEnd);
    fill = 0;
    samplesSeen = 0;
    offsetMs = 0;
    for (var i = 0; i < windowBytes; i++) features[i] = 0;
    front = 0;
    size = 0;
    previousTop = 0;
    previousTopTime = -Infinity;
    spotter.frames = 0;
    spotter.inferences = 0;
    spotter.lastIndex = 0;
    spotter.lastScore = 0;
    spotter.lastTimeMs = 0;
  }

  reset();
  return spotter;
}
