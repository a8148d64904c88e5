#!/usr/bin/python3
"""Accuracy reference: trains the LeNet of `polyak --model lenet` on Fashion-MNIST in PyTorch (1 thread, pixels /255)
and prints the test accuracy. Usage: bench/pytorch_fashion_lenet.py LR MOMENTUM EPOCHS [BATCH [constant|cosine]]
(defaults: batch 64, constant; cosine = half-cosine to 0 over the run, as polyak's cosine:TOTAL).
Needs python3-torch and dataset-fashion-mnist."""
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
B=int(sys.argv[4]) if len(sys.argv)>4 else 64; sched=sys.argv[5] if len(sys.argv)>5 else 'constant'
import math
torch.manual_seed(0)
m=nn.Sequential(nn.Conv2d(1,32,5),nn.ReLU(),nn.MaxPool2d(2),nn.Conv2d(32,64,5),nn.ReLU(),nn.MaxPool2d(2),nn.Flatten(),nn.Linear(1024,10))
opt=torch.optim.SGD(m.parameters(), lr=lr, momentum=mom); lf=nn.CrossEntropyLoss()
steps=int(epochs*60000/B); t=time.time()
perm=torch.randperm(60000); pos=0
for s in range(steps):
    if pos+B>60000: perm=torch.randperm(60000); pos=0
    idx=perm[pos:pos+B]; pos+=B
    if sched=='cosine':
        for gr in opt.param_groups: gr['lr']=lr*0.5*(1+math.cos(math.pi*s/steps))
    opt.zero_grad(); lf(m(X[idx]),Y[idx]).backward(); opt.step()
with torch.no_grad(): acc=(m(Xt).argmax(1)==Yt).float().mean().item()
print(f"torch lenet lr={lr} mom={mom} epochs={epochs} batch={B} schedule={sched}: test acc {acc:.4f}, {steps*B/(time.time()-t):.0f} samples/s")
