"""PyTorch reference for kernel_bench: training samples/s of the same MLPs
(float32, Adam, ReLU) with 1 and 2 threads, median of 15 runs of 50 steps.
Debian's python3-torch (1.13), as the model issue's anchors.  Benchmark
only: nothing in hpsearch's build, product or CI uses Python."""
import statistics
import sys
import time

import torch

SHAPES = [("784-256-128-10 b128", [784, 256, 128, 10], 128, True),
          ("64-128-64-10 b32", [64, 128, 64, 10], 32, True),
          ("10-64-64-1 b64", [10, 64, 64, 1], 64, False)]


def bench(widths, batch, classification, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.randn(batch, widths[0])
    if classification:
        y = torch.randint(0, widths[-1], (batch,))
        loss_fn = torch.nn.CrossEntropyLoss()
    else:
        y = torch.randn(batch, 1)
        loss_fn = torch.nn.MSELoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        for _ in range(50):
            step()
        times.append((time.perf_counter() - t0) / 50)
    return batch / statistics.median(times)


def main():
    for name, widths, batch, classification in SHAPES:
        for threads in (1, 2):
            rate = bench(widths, batch, classification, threads)
            print(f"{name}\t{threads}\t{rate:.0f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
