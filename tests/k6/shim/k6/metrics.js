class Metric { add() {} }
export class Rate extends Metric {}
export class Trend extends Metric {}
export class Counter extends Metric {}
export class Gauge extends Metric {}
