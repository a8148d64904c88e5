#!/usr/bin/python3
"""Accuracy reference: trains the LeNet of `polyak --model lenet` on Fashion-MNIST in PyTorch (1 thread, batch 64, pixels /255)
and prints the test accuracy. Usage: bench/pytorch_fashion_lenet.py LR MOMENTUM EPOCHS (needs python3-torch, dataset-fashion-mnist)."""
import gzip, numpy as np, torch, torch.nn as nn, sys, time
torch.set_num_threads(1)
def imgs(p): 
    with gzip.open(p) as f: return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1,1,28,28).astype(np.float32)/255
def labs(p):
    with gzip.open(p) as f: return np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
d='/usr/share/datasets/fashion-mnist/'
X=torch.tensor(imgs(d+'train-images-idx3-ubyte.gz')); Y=torch.tensor(labs(d+'train-labels-idx1-ubyte.gz'))
Xt=torch.tensor(imgs(d+'t10k-images-idx3-ubyte.gz')); Yt=torch.tensor(labs(d+'t10k-labels-idx1-ubyte.gz'))
lr=float(sys.argv[1]); mom=float(sys.argv[2]); epochs=float(sys.argv[3])
torch.manual_seed(0)
m=nn.Sequential(nn.Conv2d(1,32,5),nn.ReLU(),nn.MaxPool2d(2),nn.Conv2d(32,64,5),nn.ReLU(),nn.MaxPool2d(2),nn.Flatten(),nn.Linear(1024,10))
opt=torch.optim.SGD(m.parameters(), lr=lr, momentum=mom); lf=nn.CrossEntropyLoss()
steps=int(epochs*60000/64); t=time.time()
perm=torch.randperm(60000); pos=0
for s in range(steps):
    if pos+64>60000: perm=torch.randperm(60000); pos=0
    idx=perm[pos:pos+64]; pos+=64
    opt.zero_grad(); lf(m(X[idx]),Y[idx]).backward(); opt.step()
with torch.no_grad(): acc=(m(Xt).argmax(1)==Yt).float().mean().item()
print(f"torch lenet lr={lr} mom={mom} epochs={epochs}: test acc {acc:.4f}, {steps*64/(time.time()-t):.0f} samples/s")
