// How many plugin API calls this process has made, by method. Each call is a round trip to the server (and
// often a database query there), so it is the figure the benchmarks report per post and per alert. One Map
// increment per call: cheap enough to stay on in production.
export interface ApiCallCounts {
    total: number;
    byMethod: Record<string, number>;
}

export class ApiCallCounter {
    private readonly byMethod = new Map<string, number>();
    private total = 0;

    count(method: string): void {
        this.total++;
        this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
    }

    snapshot(): ApiCallCounts {
        return {total: this.total, byMethod: Object.fromEntries([...this.byMethod].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))};
    }
}
